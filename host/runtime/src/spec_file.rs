//! Reading spec packs from files (TOML or JSON), with errors that name the
//! file, the line and column, and the field.

use std::path::Path;

use anyhow::{Context, Result, anyhow};
use wowlab_engine::spec::SpecPack;

/// Loads a spec pack; `.json` files are JSON, everything else TOML.
pub fn load(path: &Path) -> Result<SpecPack> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading spec pack {}", path.display()))?;
    parse(&text, path.extension().is_some_and(|e| e == "json"))
        .map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// Parses a spec pack from TOML (or JSON when `json`).
pub fn parse(text: &str, json: bool) -> Result<SpecPack, String> {
    if json {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            format!(
                "field `{}`: {} (line {}, column {})",
                e.path(),
                e.inner(),
                e.inner().line(),
                e.inner().column()
            )
        })
    } else {
        toml::from_str(text).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
name = "test"
[resource]
name = "mana"
max = 100
"#;

    #[test]
    fn a_minimal_pack_parses_with_defaults() {
        let pack = parse(MINIMAL, false).unwrap();
        assert_eq!(pack.gcd.base_ms, 1500);
        assert_eq!(pack.combat.crit_multiplier, 2.0);
    }

    #[test]
    fn a_misspelt_field_is_named_with_its_line() {
        let text = format!("{MINIMAL}\n[[spells]]\nname = \"x\"\ncooldwn_ms = 5\n");
        let err = parse(&text, false).unwrap_err();
        assert!(err.contains("cooldwn_ms"), "{err}");
        assert!(err.contains("line 9"), "{err}");
    }

    #[test]
    fn a_wrong_type_in_json_names_the_field_path() {
        let err = parse(r#"{"name":"x","resource":{"name":"f","max":"lots"}}"#, true).unwrap_err();
        assert!(err.contains("resource.max"), "{err}");
    }
}
