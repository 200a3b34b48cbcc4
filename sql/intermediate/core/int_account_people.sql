-- The person behind each account, alone: the part of int_accounts_resolved that models of actions join to.
-- A merge table (materialized: merge) whose rows change only when an identity link moves an account to another
-- person, so its change log names exactly those accounts. int_accounts_resolved's rows change every night for every
-- account active that day (last_seen_at), which would make int_engagements_windowed recompute all their actions.
-- grain: one row per network account
-- key: network, account_id
select network, account_id, person_id
from intermediate.int_accounts_resolved
