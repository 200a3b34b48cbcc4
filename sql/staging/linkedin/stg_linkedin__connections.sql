-- LinkedIn connections (connections.csv) as follows. A connection is mutual, so each exported row is
-- staged as a follow in both directions: member -> connection as exported, and connection -> member
-- mirrored (is_mirrored). When both members' lists name each other, each direction still appears once,
-- preferring the row exported by the actor. Connected On is a date, so occurred_at is midnight UTC.
-- grain: one row per ordered pair of connected members
-- key: interaction_id ('<actor_account_id>-><target_account_id>', the actor's '%' and '>' percent-encoded so
--      that no two pairs share a key; sql/staging/README.md)
-- On a plain night (`changed_since` set, see sql/staging/README.md) it returns only the pairs that can have changed:
-- both directions of every connection landed since (a row stages one follow each way).
with

changed as (
    select
        regexp_replace("Member URN", '^urn:li:person:', '') as member_account_id,
        regexp_replace("Connection URN", '^urn:li:person:', '') as connection_account_id
    from raw.linkedin__connections
    where dt >= getvariable('changed_since')
    union
    select
        regexp_replace("Connection URN", '^urn:li:person:', ''),
        regexp_replace("Member URN", '^urn:li:person:', '')
    from raw.linkedin__connections
    where dt >= getvariable('changed_since')
),

source as (
    select * from raw.linkedin__connections
    where getvariable('changed_since') is null
        or (regexp_replace("Member URN", '^urn:li:person:', ''), regexp_replace("Connection URN", '^urn:li:person:', ''))
            in (select (member_account_id, connection_account_id) from changed)
),

renamed as (
    select
        regexp_replace("Member URN", '^urn:li:person:', '') as member_account_id,
        regexp_replace("Connection URN", '^urn:li:person:', '') as connection_account_id,
        "Connected On" as connected_at,
        dt,
        _source_file,
        _source_line
    from source
),

directed as (
    select
        member_account_id as actor_account_id,
        connection_account_id as target_account_id,
        false as is_mirrored,
        connected_at,
        dt,
        _source_file,
        _source_line
    from renamed
    union all
    select
        connection_account_id as actor_account_id,
        member_account_id as target_account_id,
        true as is_mirrored,
        connected_at,
        dt,
        _source_file,
        _source_line
    from renamed
),

deduped as (
    select * from directed
    qualify row_number() over (
        partition by actor_account_id, target_account_id
        order by is_mirrored, dt desc, _source_line desc, _source_file desc
    ) = 1
),

final as (
    select
        'linkedin' as network,
        replace(replace(actor_account_id, '%', '%25'), '>', '%3E') || '->' || target_account_id as interaction_id,
        actor_account_id,
        target_account_id,
        null::varchar as target_content_id,
        'follow' as action,
        null::varchar as reaction_type,
        connected_at as occurred_at,
        is_mirrored
    from deduped
)

select * from final
