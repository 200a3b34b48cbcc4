-- Identity links: which accounts on which networks belong to one person (people who connected their
-- accounts), from data/exports/identities/<date>/identities.csv. An account without a link is a person
-- of its own; that is decided downstream, not here.
-- grain: one row per linked account (network, account_id), as its latest delivery says
-- key: network, account_id
-- An account linked to two persons in the same delivery is a conflict: the lowest person_id wins (so
-- the result does not depend on line order) and the others are kept in conflicting_person_ids, which a
-- declared warn test reports.
-- On a plain night (`changed_since` set, see sql/staging/README.md) it reads only the deliveries landed since and
-- returns the accounts they name. That is exact without reading older snapshots: an account named since has its
-- latest delivery among them (every delivery from changed_since on is read), and only that delivery decides it.
with

source as (
    select * from raw.identities__identities
    where getvariable('changed_since') is null
        or dt >= getvariable('changed_since')
),

renamed as (
    select
        person_id,
        network,
        account_id,
        display_name,
        dt,
        _source_line
    from source
),

-- identities.csv is a full snapshot every day: only an account's latest delivery decides it. That date is
-- found first by an aggregate, so the ranking below reads one delivery per account, not every snapshot
-- (at 1M people, 74M landed rows: 68 s as one window over all of them).
latest_delivery as (
    select network, account_id, max(dt) as dt
    from renamed
    group by network, account_id
),

latest as (
    select renamed.*
    from renamed
    join latest_delivery
        on latest_delivery.network = renamed.network
        and latest_delivery.account_id = renamed.account_id
        and latest_delivery.dt = renamed.dt
),

ranked as (
    select
        *,
        list_sort(list_distinct(list(person_id) over (partition by network, account_id, dt))) as delivered_person_ids,
        row_number() over (
            partition by network, account_id
            order by dt desc, person_id, _source_line desc
        ) as rank_in_account
    from latest
),

final as (
    select
        person_id,
        network,
        account_id,
        display_name,
        timezone('UTC', dt::timestamp) as linked_at,
        list_filter(delivered_person_ids, lambda p: p <> person_id) as conflicting_person_ids
    from ranked
    where rank_in_account = 1
)

select * from final
