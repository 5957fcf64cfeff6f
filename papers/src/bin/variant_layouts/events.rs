//! A synthetic Bluesky firehose: Jetstream-like events, a pure function of (seed, index).
//!
//! Bluesky's Jetstream sends one JSON object per repository event: `did`, `time_us`,
//! `kind` and, by kind, a `commit` (the record's collection, `rkey`, `rev`, `cid` and the
//! record itself, whose shape depends on the collection), an `identity` or an `account`.
//! Here 85% are commits (posts 40%, likes 30%, follows 20%, reposts 10%), 10% identity
//! and 5% account events; account events carry `time_us` as a string, as a producer that
//! changed its encoding would, so a few values do not fit a typed column.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value as Json, json};

/// Event `index` of the stream seeded with `seed`.
pub fn event(seed: u64, index: u64) -> Json {
    let mut rng = StdRng::seed_from_u64(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let did = format!("did:plc:{:024x}", rng.random::<u64>() % 5_000);
    let time_us = 1_731_000_000_000_000 + index as i64 * 350 + rng.random_range(0..300);
    let created_at = format!(
        "2024-11-{:02}T{:02}:{:02}:00Z",
        1 + index % 28,
        index % 24,
        index % 60
    );
    let kind = rng.random::<f64>();
    if kind < 0.85 {
        let pick = rng.random::<f64>();
        let cid = format!("bafyrei{:016x}", rng.random::<u64>());
        let (collection, record) = if pick < 0.40 {
            let words = 3 + rng.random_range(0..12);
            let text: Vec<String> = (0..words)
                .map(|w| format!("w{}", (index + w) % 997))
                .collect();
            let mut record = json!({"$type": "app.bsky.feed.post", "createdAt": created_at,
                "text": text.join(" "), "langs": ["en"]});
            if rng.random::<f64>() < 0.2 {
                record["reply"] = json!({"root": {"uri": format!("at://{did}/post/{}", index / 7),
                    "cid": cid}, "parent": {"uri": format!("at://{did}/post/{}", index / 3), "cid": cid}});
            }
            ("app.bsky.feed.post", record)
        } else if pick < 0.70 {
            let subject = json!({"uri": format!("at://did:plc:{:x}/app.bsky.feed.post/{}", index % 977, index / 11),
                "cid": cid});
            (
                "app.bsky.feed.like",
                json!({"$type": "app.bsky.feed.like", "createdAt": created_at, "subject": subject}),
            )
        } else if pick < 0.90 {
            let subject = format!("did:plc:{:024x}", rng.random::<u64>() % 5_000);
            (
                "app.bsky.graph.follow",
                json!({"$type": "app.bsky.graph.follow", "createdAt": created_at, "subject": subject}),
            )
        } else {
            let subject = json!({"uri": format!("at://did:plc:{:x}/app.bsky.feed.post/{}", index % 499, index / 13),
                "cid": cid});
            (
                "app.bsky.feed.repost",
                json!({"$type": "app.bsky.feed.repost", "createdAt": created_at, "subject": subject}),
            )
        };
        json!({"did": did, "time_us": time_us, "kind": "commit", "commit": {
            "rev": format!("3l{:011x}", index), "operation": "create", "collection": collection,
            "rkey": format!("3l{:x}", rng.random::<u32>()), "record": record, "cid": cid}})
    } else if kind < 0.95 {
        json!({"did": did, "time_us": time_us, "kind": "identity", "identity": {
            "did": did, "handle": format!("user{}.bsky.social", index % 5_000),
            "seq": index as i64 * 3, "time": created_at}})
    } else {
        json!({"did": did, "time_us": time_us.to_string(), "kind": "account", "account": {
            "active": false, "did": did, "seq": index as i64 * 3, "status": "deactivated",
            "time": created_at}})
    }
}

/// The event as a plain nested struct holds it: `time_us` always an integer, and the
/// commit's record (whose shape depends on the collection: a follow's `subject` is a
/// string, a like's an object) as its JSON text.
pub fn as_struct(event: &Json) -> Json {
    let mut event = event.clone();
    if let Some(text) = event["time_us"].as_str() {
        event["time_us"] = json!(text.parse::<i64>().unwrap_or_default());
    }
    if let Some(record) = event.get_mut("commit").and_then(|c| c.get_mut("record")) {
        *record = Json::String(record.to_string());
    }
    event
}

/// The plain nested-struct schema of [`as_struct`]'s events.
pub const STRUCT_SCHEMA: &str = "message events {
  required int64 id;
  optional group event {
    optional binary did (STRING);
    optional int64 time_us;
    optional binary kind (STRING);
    optional group commit {
      optional binary rev (STRING);
      optional binary operation (STRING);
      optional binary collection (STRING);
      optional binary rkey (STRING);
      optional binary record (JSON);
      optional binary cid (STRING);
    }
    optional group identity {
      optional binary did (STRING);
      optional binary handle (STRING);
      optional int64 seq;
      optional binary time (STRING);
    }
    optional group account {
      optional boolean active;
      optional binary did (STRING);
      optional int64 seq;
      optional binary status (STRING);
      optional binary time (STRING);
    }
  }
}";

/// The unshredded VARIANT schema: every event in `metadata` and `value`.
pub const VARIANT_SCHEMA: &str = "message events {
  required int64 id;
  optional group event (VARIANT(1)) { required binary metadata; required binary value; }
}";
