-- The person behind each account, alone: the part of int_accounts_resolved that models of actions join to.
-- A merge table (materialized: merge) whose rows change only when an account is first seen, is forgotten, or moves to
-- another person (an identity link), so its change log names those accounts alone. int_accounts_resolved's rows change
-- every night for every account active that day (last_seen_at): as int_engagements_windowed's source of people, its
-- log would have made the model recompute all their actions.
-- grain: one row per network account
-- key: network, account_id
select network, account_id, person_id
from intermediate.int_accounts_resolved
