//! The datasets shipped with `shred-gen` (`--preset NAME`): each a schema and a spec, kept
//! as files in `gen/presets/` and compiled into the binary.
//!
//! `contact` is the study's Contact dataset through the typed generator (the same records
//! as a run without `--preset`); the others are schema-driven: `document`, the Dremel
//! paper's running example (Melnik et al., VLDB 2010, Figure 2); `tpch`, TPC-H's customer,
//! orders and line items nested into one record per customer; `events`, an event stream in
//! the shape of JSONBench's Bluesky events (deep optional objects, arrays of strings).
//!
//! ```
//! use shred_gen::preset::Preset;
//! let document = Preset::find("document").unwrap();
//! let schema = shred::Schema::parse(document.schema.unwrap()).unwrap();
//! assert_eq!(schema.leaves().len(), 6);
//! assert!(Preset::find("nope").is_err());
//! ```

/// The Dremel paper's Document schema (`gen/presets/document.schema`).
pub const DOCUMENT_SCHEMA: &str = include_str!("../presets/document.schema");

/// One shipped dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// The name `--preset` takes.
    pub name: &'static str,
    /// What it is, in one line.
    pub about: &'static str,
    /// The Parquet message type (none for `contact`, which has its typed generator).
    pub schema: Option<&'static str>,
    /// The spec (TOML).
    pub spec: Option<&'static str>,
}

/// Every preset, in the order `--help` lists them.
pub const PRESETS: [Preset; 4] = [
    Preset {
        name: "contact",
        about: "the study's Contact dataset (the default; the typed generator)",
        schema: None,
        spec: None,
    },
    Preset {
        name: "document",
        about: "the Dremel paper's Document: links and names in several languages",
        schema: Some(DOCUMENT_SCHEMA),
        spec: Some(include_str!("../presets/document.toml")),
    },
    Preset {
        name: "tpch",
        about: "TPC-H nested: customer → orders → line items",
        schema: Some(include_str!("../presets/tpch.schema")),
        spec: Some(include_str!("../presets/tpch.toml")),
    },
    Preset {
        name: "events",
        about: "Bluesky-like events (JSONBench): deep optional objects, arrays of strings",
        schema: Some(include_str!("../presets/events.schema")),
        spec: Some(include_str!("../presets/events.toml")),
    },
];

impl Preset {
    /// The preset called `name`, or a message listing the presets.
    pub fn find(name: &str) -> Result<Preset, String> {
        PRESETS
            .iter()
            .find(|p| p.name == name)
            .copied()
            .ok_or_else(|| {
                let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
                format!("unknown preset {name:?} (presets: {})", names.join(", "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema_generator::SchemaGenerator;
    use crate::spec::Spec;

    #[test]
    fn every_schema_driven_preset_compiles_and_draws() {
        for preset in PRESETS.iter().filter(|p| p.schema.is_some()) {
            let schema = shred::Schema::parse(preset.schema.unwrap()).unwrap();
            let spec = Spec::parse(preset.name, preset.spec.unwrap()).unwrap();
            let g = SchemaGenerator::new(1, schema, &spec)
                .unwrap_or_else(|e| panic!("{}: {e}", preset.name));
            let mut stripes = g.new_stripes();
            g.fill_stripes(0, 500, &mut stripes);
            for stripe in &stripes {
                assert_eq!(stripe.num_records(), 500, "{}", preset.name);
            }
        }
    }

    #[test]
    fn document_draws_every_definition_level() {
        let preset = Preset::find("document").unwrap();
        let schema = shred::Schema::parse(preset.schema.unwrap()).unwrap();
        let spec = Spec::parse("document", preset.spec.unwrap()).unwrap();
        let g = SchemaGenerator::new(1, schema.clone(), &spec).unwrap();
        let mut stripes = g.new_stripes();
        g.fill_stripes(0, 2000, &mut stripes);
        for (leaf, stripe) in schema.leaves().iter().zip(&stripes) {
            for d in 0..=leaf.max_def {
                assert!(
                    stripe.def.contains(&d),
                    "{}: d = {d} never drawn",
                    leaf.path
                );
            }
        }
    }
}
