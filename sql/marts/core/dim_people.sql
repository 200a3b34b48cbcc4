-- Every person Clout scores: people who linked accounts (identities.csv) and every unlinked account as a
-- person of its own. display_name is the first known name among their accounts.
-- grain: one row per person
-- key: person_id
with

accounts as (
    select * from intermediate.int_accounts_resolved
),

final as (
    select
        person_id,
        coalesce(
            min(display_name) filter (where is_linked),
            arg_min(display_name, network || ':' || display_name) filter (where display_name is not null),
            min(handle),
            person_id
        ) as display_name,
        list(distinct network order by network) as networks,
        list(distinct handle order by handle) filter (where handle is not null) as handles,
        count(*) as account_count,
        bool_or(is_linked) as is_linked,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at
    from accounts
    group by person_id
)

select * from final
