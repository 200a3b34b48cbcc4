-- Facebook posts as canonical content (content_type post).
-- grain: one row per post id (the latest landed copy: latest dt, then highest _source_line)
-- key: content_id
with

source as (
    select * from raw.facebook__posts
),

renamed as (
    select
        id as content_id,
        from__id as account_id,
        created_time as created_at,
        'post' as content_type,
        message as text,
        hashtags,
        message_tags__id as mentioned_account_ids,
        from__name as account_name,
        status_type,
        permalink_url,
        shares__count as share_count,
        dt,
        _source_line
    from source
),

deduped as (
    select *
    from renamed
    qualify row_number() over (partition by content_id order by dt desc, _source_line desc) = 1
),

final as (
    select
        'facebook' as network,
        content_id,
        account_id,
        created_at,
        content_type,
        text,
        hashtags,
        mentioned_account_ids,
        null::varchar as parent_content_id,
        null::varchar as parent_account_id,
        []::varchar[] as topic_hints,
        account_name,
        status_type,
        permalink_url,
        share_count
    from deduped
)

select * from final
