//! The platform hash-match API on every backend: bank-scoped keys, exact matches with distances,
//! tombstones, nothing but ids and distances returned, quality and rate limits.

mod common;

use common::*;
use serde_json::json;

/// A hash with the first `flips` bits of `base` flipped (hex as PDQ prints it).
fn flipped(base: &str, flips: usize) -> String {
    let mut h = harbour_pdq::Hash256::from_hex(base).unwrap();
    for k in 0..flips {
        let bit = !h.bit(k);
        if bit {
            h.set_bit(k);
        } else {
            h.0[k / 64] &= !(1u64 << (k % 64));
        }
    }
    h.to_hex()
}

const A: &str = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
const B: &str = "30a10efdf1c83f429013d48d0ffffc52e34e0e35ada952a9d29605215aa9e5af";

#[tokio::test]
async fn platforms_match_uploads_against_their_banks_only() {
    for backend in backends() {
        let app = TestApp::start(&backend).await;
        let be = app.backend_name();
        let h = &app.harbour;
        h.create_bank("survivor-requests").await.unwrap();
        h.create_bank("other-bank").await.unwrap();
        let a = h
            .add_to_bank(
                "survivor-requests",
                A,
                "FAKE internal label: request 1",
                100,
            )
            .await
            .unwrap();
        let gone = h
            .add_to_bank(
                "survivor-requests",
                B,
                "FAKE internal label: withdrawn",
                100,
            )
            .await
            .unwrap();
        h.add_to_bank("other-bank", A, "FAKE other bank", 100)
            .await
            .unwrap();
        h.remove_from_bank("survivor-requests", gone).await.unwrap();
        assert!(
            h.add_to_bank("survivor-requests", A, "flat", 20)
                .await
                .is_err(),
            "quality below 50 refused"
        );
        let key = h
            .create_platform_key("Fake Platform", &["survivor-requests".to_string()], 5)
            .await
            .unwrap();

        let call = |body: serde_json::Value, key: Option<String>| {
            let app = &app;
            async move {
                let mut req = app
                    .client
                    .post(format!("{}/api/v1/hash-match", app.base))
                    .json(&body);
                if let Some(k) = key {
                    req = req.header("Harbour-Platform-Key", k);
                }
                let res = req.send().await.unwrap();
                let status = res.status().as_u16();
                let retry = res
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_string());
                (
                    status,
                    res.json::<serde_json::Value>().await.unwrap(),
                    retry,
                )
            }
        };

        // An upload 20 bits from the stored hash matches, with its distance; nothing else is said.
        let (s, v, _) = call(
            json!({"hashes": [flipped(A, 20), flipped(B, 3)], "quality": 90}),
            Some(key.clone()),
        )
        .await;
        assert_eq!(s, 200, "{be}: {v}");
        assert_eq!(
            v["matches"],
            json!([{"bank": "survivor-requests", "id": a, "distance": 20, "query": 0}]),
            "{be}: withdrawn hash and other bank not matched"
        );
        assert!(
            !v.to_string().contains("FAKE"),
            "labels never leave Harbour"
        );
        // Beyond the distance: no match; a wider distance finds it.
        let (_, v, _) = call(json!({"hashes": [flipped(A, 35)]}), Some(key.clone())).await;
        assert_eq!(v["matches"], json!([]));
        let (_, v, _) = call(
            json!({"hashes": [flipped(A, 35)], "distance": 40}),
            Some(key.clone()),
        )
        .await;
        assert_eq!(v["matches"][0]["distance"], 35);

        // Bad input names the field.
        let (s, v, _) = call(json!({"hashes": ["not-a-hash"]}), Some(key.clone())).await;
        assert_eq!(
            (s, v["errors"][0]["pointer"].as_str()),
            (422, Some("/hashes/0")),
            "{v}"
        );
        // Five requests a minute: the sixth is refused with Retry-After.
        let (s, v, retry) = call(json!({"hashes": [A], "quality": 10}), Some(key.clone())).await;
        assert_eq!(
            (s, v["errors"][0]["pointer"].as_str()),
            (422, Some("/quality")),
            "{v}"
        );
        let (s, v, retry2) = call(json!({"hashes": [A]}), Some(key.clone())).await;
        assert_eq!(s, 429, "{be}: {v}");
        assert!(
            retry.is_none() && retry2.is_some(),
            "Retry-After on the 429 only"
        );
        assert_eq!(v["type"], "/problems/rate-limited");

        // No key, a wrong key, or a user's session token: 401.
        assert_eq!(call(json!({"hashes": [A]}), None).await.0, 401);
        assert_eq!(
            call(json!({"hashes": [A]}), Some("hbp_wrong".into()))
                .await
                .0,
            401
        );
        let org = app
            .org("Fake Police", harbour_domain::OrgKind::Police)
            .await;
        let (token, _) = app
            .user("p@test.invalid", &org, harbour_domain::Role::FirstResponder)
            .await;
        assert_eq!(call(json!({"hashes": [A]}), Some(token)).await.0, 401);
        // Keys are scoped to banks that exist.
        assert!(h
            .create_platform_key("X", &["no-such-bank".to_string()], 5)
            .await
            .is_err());
        app.finish().await;
    }
}
