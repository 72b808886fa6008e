//! What the handlers enforce, written into the document from the constants
//! the handlers check, so the two cannot drift apart: the statuses every
//! route can answer with (a malformed path parameter, a body over the
//! limit, an internal error), the pattern of every hash, the bounds of
//! every limited field, and one operation id per operation.

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{Array, Object, Schema};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Required, ResponseBuilder, Responses};
use wowlab_protocol::address::HASH_PATTERN;
use wowlab_protocol::api::MAX_RESULTS_PER_REPORT;

use crate::api::MAX_BODY;
use crate::api::modules::MAX_MODULE;

/// A string with something other than blanks in it.
pub const NOT_BLANK: &str = r"\S";

/// Properties that hold a content address, wherever they appear.
const HASH_FIELDS: [&str; 4] = ["hash", "config_hash", "digest", "checksum"];

/// Writes the handlers' rules into `doc`; `max_iterations` is this
/// sentinel's limit on a job's iterations.
pub fn apply(doc: &mut OpenApi, max_iterations: u64) {
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, operation) in operations(item) {
            operation.operation_id = Some(operation_id(method, path));
            add_statuses(operation, path);
            constrain_path_parameters(operation);
            binary_modules(operation);
        }
    }
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for (name, schema) in components.schemas.iter_mut() {
        let RefOr::T(Schema::Object(object)) = schema else {
            continue;
        };
        constrain_hashes(object);
        unsigned_32_bits(object);
        constrain_fields(name, object, max_iterations);
    }
}

/// The operations of a path, with their methods.
fn operations(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", item.get.as_mut()),
        ("put", item.put.as_mut()),
        ("post", item.post.as_mut()),
        ("patch", item.patch.as_mut()),
        ("delete", item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, operation)| Some((method, operation?)))
}

/// `put_configs_hash` for `PUT /api/v1/configs/{hash}`: unique because a
/// method and path are.
pub fn operation_id(method: &str, path: &str) -> String {
    let words = path
        .trim_start_matches("/api/v1/")
        .split('/')
        .map(|part| part.trim_matches(|c| c == '{' || c == '}'));
    std::iter::once(method)
        .chain(words)
        .collect::<Vec<_>>()
        .join("_")
}

/// An `ErrorBody` response.
fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    let body = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build();
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content("application/json", body)
            .build(),
    )
}

/// Adds `status` unless the handler documents it already.
fn add_status(responses: &mut Responses, status: &str, description: &str) {
    responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| error_response(description));
}

/// The statuses any handler of this shape can answer with.
fn add_statuses(operation: &mut Operation, path: &str) {
    let has_path_parameter = path.contains('{');
    let signed = operation
        .security
        .iter()
        .flatten()
        .any(|s| serde_json::to_value(s).is_ok_and(|v| v.get("node_signature").is_some()));
    let responses = &mut operation.responses;
    if has_path_parameter || operation.request_body.is_some() {
        add_status(
            responses,
            "400",
            "Bad input: a malformed path parameter or body; the error names it",
        );
    }
    if operation.request_body.is_some() || signed {
        let limit = if path.starts_with("/api/v1/modules/") {
            MAX_MODULE
        } else {
            MAX_BODY
        };
        add_status(
            responses,
            "413",
            &format!("The body is larger than {limit} bytes"),
        );
    }
    add_status(
        responses,
        "500",
        "Internal error: logged once, with the request, on the sentinel",
    );
}

/// The media type of a module's bytes.
const WASM: &str = "application/wasm";

/// A module's body is its bytes (a binary string), not an array of numbers.
fn binary_modules(operation: &mut Operation) {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let binary = || {
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                .build(),
        ))
    };
    if let Some(RefOr::T(body)) = operation.request_body.as_mut()
        && let Some(RefOr::T(content)) = body.content.get_mut(WASM)
    {
        content.schema = Some(binary());
    }
    for response in operation.responses.responses.values_mut() {
        if let RefOr::T(response) = response
            && let Some(RefOr::T(content)) = response.content.get_mut(WASM)
        {
            content.schema = Some(binary());
        }
    }
}

/// Hash path parameters get [`HASH_PATTERN`]; every path parameter is required.
fn constrain_path_parameters(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        let RefOr::T(parameter) = parameter else {
            continue;
        };
        parameter.required = Required::True;
        if matches!(parameter.name.as_str(), "hash" | "checksum")
            && let Some(RefOr::T(Schema::Object(object))) = parameter.schema.as_mut()
        {
            object.pattern = Some(HASH_PATTERN.into());
        }
    }
}

/// The string properties in [`HASH_FIELDS`] get [`HASH_PATTERN`].
fn constrain_hashes(object: &mut Object) {
    for field in HASH_FIELDS {
        if let Some(property) = property(object, field) {
            property.pattern = Some(HASH_PATTERN.into());
        }
    }
}

/// A `u32` field is documented as `int32` from 0, but holds up to
/// `u32::MAX`: it becomes an `int64` with that maximum.
fn unsigned_32_bits(object: &mut Object) {
    use utoipa::Number;
    use utoipa::openapi::schema::{KnownFormat, SchemaFormat};
    for property in object.properties.values_mut() {
        if let RefOr::T(Schema::Object(field)) = property
            && field.format == Some(SchemaFormat::KnownFormat(KnownFormat::Int32))
            && match field.minimum {
                Some(Number::Int(n)) => n == 0,
                Some(Number::UInt(n)) => n == 0,
                Some(Number::Float(n)) => n == 0.0,
                None => false,
            }
        {
            field.format = Some(SchemaFormat::KnownFormat(KnownFormat::Int64));
            field.maximum = Some(Number::UInt(u32::MAX as usize));
        }
    }
}

/// A property of `object` that is itself an inline schema object.
fn property<'a>(object: &'a mut Object, name: &str) -> Option<&'a mut Object> {
    match object.properties.get_mut(name)? {
        RefOr::T(Schema::Object(property)) => Some(property),
        _ => None,
    }
}

/// The bounds the domain rules check, per request body.
fn constrain_fields(schema: &str, object: &mut Object, max_iterations: u64) {
    use utoipa::Number;
    let name_limits = |object: &mut Object, max: usize| {
        if let Some(name) = property(object, "name") {
            name.min_length = Some(1);
            name.max_length = Some(max);
            name.pattern = Some(NOT_BLANK.into());
        }
    };
    let parallel_limits = |object: &mut Object| {
        if let Some(n) = property(object, "max_parallel") {
            n.minimum = Some(Number::UInt(1));
            n.maximum = Some(Number::UInt(crate::nodes::MAX_PARALLEL as usize));
        }
    };
    match schema {
        "CreateJob" => {
            if let Some(iterations) = property(object, "iterations") {
                iterations.minimum = Some(Number::UInt(1));
                iterations.maximum = Some(Number::UInt(max_iterations as usize));
            }
            if let Some(target) = object.properties.get_mut("target_error") {
                bound_number(target, 0.0, 100.0);
            }
        }
        "RegisterNode" | "UpdateNode" => {
            name_limits(object, crate::nodes::MAX_NAME);
            parallel_limits(object);
        }
        "CreateRotation" => name_limits(object, crate::rotations::MAX_NAME),
        "CompleteChunks" => {
            if let Some(RefOr::T(Schema::Array(results))) = object.properties.get_mut("results") {
                bound_items(results);
            }
        }
        _ => {}
    }
}

/// A number above `above` and at most `max`, also inside an optional's `oneOf`.
fn bound_number(schema: &mut RefOr<Schema>, above: f64, max: f64) {
    use utoipa::Number;
    match schema {
        RefOr::T(Schema::Object(object)) => {
            object.exclusive_minimum = Some(Number::Float(above));
            object.maximum = Some(Number::Float(max));
        }
        RefOr::T(Schema::OneOf(one_of)) => {
            for item in &mut one_of.items {
                bound_number(item, above, max);
            }
        }
        _ => {}
    }
}

/// At most [`MAX_RESULTS_PER_REPORT`] results (each chunk once, which a
/// schema cannot say of one field of the items).
fn bound_items(results: &mut Array) {
    results.max_items = Some(MAX_RESULTS_PER_REPORT);
}
