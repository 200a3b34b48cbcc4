-- Every network account Clout has seen, with the person it belongs to.
-- follower_count is what the network reports, shown for comparison; it never raises a score.
-- grain: one row per network account
-- key: network, account_id
select
    network,
    account_id,
    person_id,
    handle,
    display_name,
    is_linked,
    follower_count,
    following_count,
    first_seen_at,
    last_seen_at
from intermediate.int_accounts_resolved
