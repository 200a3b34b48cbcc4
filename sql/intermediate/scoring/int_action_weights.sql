-- How much each canonical action says about influence. Reposts, shares and quotes carry content to a new
-- audience; replies and comments take effort; mentions point at someone; reactions are one tap. Follows and
-- subscriptions are not engagement with content and never count (so bought followers change nothing).
-- grain: one row per action
-- key: action
select * from (
    values
        ('repost', 1.0),
        ('share', 1.0),
        ('quote', 1.0),
        ('reply', 0.8),
        ('comment', 0.8),
        ('mention', 0.6),
        ('checkin_with', 0.5),
        ('reaction', 0.3),
        ('follow', 0.0),
        ('subscribe', 0.0)
) as weights(action, action_weight)
