//! The OpenAPI document at `/api/v1/openapi.json`: parsed by the `oas3` crate as OpenAPI 3.1 and
//! checked structurally (required members, operations with responses, every `$ref` resolving), listing exactly the
//! routes the server mounts under `/api/v1` (read from the handlers' route attributes) and answering
//! each of them.
use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;

use super::Curl;
use crate::helpers::spawn_app;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn document() -> (crate::helpers::TestApp, Value) {
    let app = spawn_app().await;
    let res = Curl::new(&app, None).get("/api/v1/openapi.json").await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.expect("json");
    (app, doc)
}

/// Every `$ref` in `value`.
fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(target)) => found.push(target),
                    _ => refs(v, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
        _ => {}
    }
}

/// Follows a local JSON pointer (`#/components/schemas/Problem`).
fn resolve<'a>(doc: &'a Value, target: &str) -> Option<&'a Value> {
    let pointer = target.strip_prefix('#')?;
    doc.pointer(pointer)
}

#[tokio::test]
async fn the_document_parses_as_openapi_3_1_and_its_references_resolve() {
    let (_app, doc) = document().await;
    let spec = oas3::from_json(doc.to_string()).expect("an OpenAPI 3.1 document");
    let version = spec.validate_version().expect("a supported version");
    assert_eq!((version.major, version.minor), (3, 1));
    let mut operations = 0;
    for (path, method, operation) in spec.operations() {
        operations += 1;
        for parameter in &operation.parameters {
            parameter.resolve(&spec).expect("parameter resolves");
        }
        if let Some(body) = &operation.request_body {
            let body = body.resolve(&spec).expect("request body resolves");
            for media in body.content.values() {
                media.schema(&spec).expect("request schema resolves");
            }
        }
        let responses = operation.responses.as_ref().expect("responses");
        for (code, response) in responses {
            let response = response.resolve(&spec).expect("response resolves");
            for media in response.content.values() {
                let schema = media.schema(&spec);
                assert!(schema.is_ok(), "{method} {path} {code}: {schema:?}");
            }
        }
    }
    assert!(operations >= 15);
}

#[tokio::test]
async fn the_document_is_valid_openapi_3_1() {
    let (_app, doc) = document().await;
    let version = doc["openapi"].as_str().expect("openapi");
    assert!(version.starts_with("3.1."), "{version}");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let paths = doc["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());
    let mut operation_ids = BTreeSet::new();
    for (path, item) in paths {
        assert!(path.starts_with('/'), "{path}");
        let item = item.as_object().expect("path item");
        for (method, operation) in item {
            assert!(METHODS.contains(&method.as_str()), "{method} on {path}");
            let responses = operation["responses"].as_object().expect("responses");
            assert!(!responses.is_empty(), "{method} {path} has responses");
            for (code, response) in responses {
                assert!(code.len() == 3 && code.parse::<u16>().is_ok(), "{code}");
                assert!(
                    response["description"].is_string(),
                    "{method} {path} {code}"
                );
            }
            let id = operation["operationId"].as_str().expect("operationId");
            assert!(
                operation_ids.insert(id.to_string()),
                "operationId {id} unique"
            );
            // Every `{param}` in the path is declared as a path parameter.
            for name in path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            {
                let declared = operation["parameters"].as_array().is_some_and(|ps| {
                    ps.iter()
                        .any(|p| p["name"] == name && p["in"] == "path" && p["required"] == true)
                });
                assert!(declared, "{method} {path} declares {name}");
            }
            // Security names schemes that exist.
            for requirement in operation["security"].as_array().into_iter().flatten() {
                for scheme in requirement.as_object().expect("requirement").keys() {
                    assert!(
                        doc["components"]["securitySchemes"][scheme].is_object(),
                        "{scheme}"
                    );
                }
            }
        }
    }
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(
        found.iter().any(|r| r.ends_with("/Problem")),
        "problems are documented"
    );
    for target in found {
        assert!(resolve(&doc, target).is_some(), "$ref {target} resolves");
    }
}

/// `(METHOD, /api/v1/path)` of every handler attribute in `src/web/api/`.
fn mounted_routes() -> BTreeSet<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/api");
    let mut routes = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("src/web/api") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("source");
        for line in text.lines().map(str::trim) {
            for method in METHODS {
                let Some(rest) = line.strip_prefix(&format!("#[{method}(\"")) else {
                    continue;
                };
                let path = rest.split('"').next().expect("path");
                routes.insert((method.to_string(), format!("/api/v1{path}")));
            }
        }
    }
    routes
}

#[tokio::test]
async fn every_api_route_is_documented_and_nothing_else() {
    let (app, doc) = document().await;
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("item")
                .keys()
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    let mounted = mounted_routes();
    assert!(mounted.len() >= 15, "{mounted:?}");
    assert_eq!(documented, mounted);
    for (_, path) in &documented {
        assert!(path.starts_with("/api/v1/"), "{path} is outside the API");
    }
    // The route table mounts the API only as its one scope.
    let routes = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/routes.rs"))
        .expect("routes.rs");
    assert!(
        !routes.contains("\"/api"),
        "no API route outside web::api::scope"
    );

    // Each documented operation is served: it never falls through to the API's "no such route".
    let client = reqwest::Client::new();
    for (method, path) in &documented {
        let concrete = path.replace("{id}", "1").replace("{username}", "nobody");
        let url = app.url(&format!("{concrete}?q=x"));
        let request = match method.as_str() {
            "get" => client.get(url),
            _ => client
                .request(method.to_uppercase().parse().expect("method"), url)
                .bearer_auth("agora_nobody")
                .json(&serde_json::json!({})),
        };
        let res = request.send().await.expect("request");
        let body: Value = res.json().await.unwrap_or(Value::Null);
        assert_ne!(
            body["type"], "urn:agora:problem:no-such-route",
            "{method} {path} is served"
        );
    }
}
