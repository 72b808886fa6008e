//! The README lists every state query, for Rhai scripts and for the sdk.

use wowlab_engine::snapshot::QUERIES;

#[test]
fn the_readme_lists_every_state_query_for_rhai_and_the_sdk() {
    let readme = include_str!("../../../README.md");
    let section = |start: &str, end: &str| {
        let from = readme.find(start).expect(start);
        let to = from + readme[from..].find(end).expect(end);
        readme[from..to].to_string()
    };
    let sdk = section(
        "`State` has one typed method per state query",
        "Names are resolved",
    );
    let rhai = section("Actions: `cast(spell)`", "Nothing a script defines");
    for query in QUERIES {
        let listed = |text: &str| {
            text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|word| word == query.name)
        };
        assert!(listed(&sdk), "the sdk's paragraph lacks `{}`", query.name);
        assert!(listed(&rhai), "the Rhai paragraph lacks `{}`", query.name);
    }
}
