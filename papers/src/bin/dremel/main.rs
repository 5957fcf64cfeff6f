//! `dremel`: the Dremel paper's running example, reproduced with the `shred` library.
//!
//! Melnik et al., "Dremel: Interactive Analysis of Web-Scale Datasets", VLDB 2010 (write-up:
//! `papers/dremel/README.md`). Prints the Document schema and records r1, r2 (Figure 2),
//! shreds them into the column-striped table (Figure 3, [`striped`]), builds the
//! record-assembly automaton (Figure 4) and assembles r1 and r2 back, then projects on
//! DocId and Name.Language.Country (Figure 5). Every figure is compared with the paper's
//! version typed in [`paper`] ([`check`]). Finally the same records are shredded under the
//! 3-level `LIST` encoding Parquet writers use today ([`list_encoding`]) and the levels are
//! compared with the paper's encoding.
//!
//! Exit codes: 0 every figure matches the paper, 1 a figure differs (the differences are
//! printed) or the output file cannot be written, 2 bad usage.

mod check;
mod layout;
mod list_encoding;
mod paper;
mod record_text;
mod striped;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use serde_json::Value as Json;
use shred::assembler::{Assembler, Fsm};
use shred::fixtures::{DOCUMENT_SCHEMA, document_records};
use shred::output::OutputFile;
use shred::record::{first_difference, normalize};
use shred::shredder::shred_records;
use shred::{Schema, Stripe};

use crate::check::{Checks, diff_against, diff_rows, diff_text};
use crate::layout::{side_by_side, titled_table};
use crate::list_encoding::{
    Element, bare_path, definition_states, document_list_schema, predicted_def,
};
use crate::paper::Edge;
use crate::record_text::paper_text;
use crate::striped::{Row, column_rows, render_columns};

/// Prints Figures 2–5 of the Dremel paper computed by `shred`, checks them against the
/// paper, and shows the same records under Parquet's 3-level LIST encoding.
#[derive(Debug, Parser)]
#[command(name = "dremel", version)]
struct Args {
    /// Also write the output to DIR/output.txt (e.g. papers/dremel).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Width the side-by-side tables wrap at.
const WIDTH: usize = 100;

fn main() -> ExitCode {
    let args = Args::parse();
    let mut checks = Checks::default();
    let text = match report(&mut checks) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("dremel: {e:#}");
            return ExitCode::from(1);
        }
    };
    print!("{text}");
    if let Some(dir) = &args.out
        && let Err(e) = write_output(dir, &text)
    {
        eprintln!("dremel: {e:#}");
        return ExitCode::from(1);
    }
    let failures = checks.failures();
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "dremel: {} of {} checks differ from the paper:",
            failures.len(),
            checks.len()
        );
        for f in failures {
            eprint!("{}", f.render());
        }
        ExitCode::from(1)
    }
}

fn write_output(dir: &std::path::Path, text: &str) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let path = dir.join("output.txt");
    let mut file = OutputFile::create(&path)?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    file.commit()?;
    Ok(())
}

fn section(out: &mut String, title: &str) {
    let _ = write!(out, "\n== {title} ==\n\n");
}

/// The whole printout; every comparison is recorded in `checks`.
fn report(checks: &mut Checks) -> Result<String> {
    let mut out = String::from(
        "Dremel (Melnik et al., VLDB 2010), Figures 2-5, computed with the shred library\n",
    );
    let schema = Schema::parse(DOCUMENT_SCHEMA)?;
    let records: Vec<Json> = document_records()
        .iter()
        .enumerate()
        .map(|(i, r)| normalize(&schema, r, i, None))
        .collect::<shred::Result<_>>()?;

    section(&mut out, "Figure 2: the Document schema");
    out.push_str(DOCUMENT_SCHEMA);
    out.push_str(
        "\n\nMaximum levels per column (§4.1: r counts the repeated fields on the path, \
         d the optional and repeated ones):\n\n",
    );
    out.push_str(&levels_table(&[("Dremel", &schema)]));

    section(&mut out, "Figure 2: records r1 and r2");
    out.push_str(&records_side_by_side(&["r1", "r2"], &records));
    for (name, paper, record) in [
        ("r1", paper::FIGURE_2_R1, &records[0]),
        ("r2", paper::FIGURE_2_R2, &records[1]),
    ] {
        out.push_str(&checks.record(
            format!("Figure 2, {name}"),
            diff_text(paper, &paper_text(record)),
        ));
    }

    section(
        &mut out,
        "Figure 3: column-striped representation of r1 and r2",
    );
    let stripes = shred_records(&schema, &records)?;
    out.push_str(&render_columns(&schema, &stripes, WIDTH));
    out.push('\n');
    for (leaf, column) in paper::FIGURE_3.iter().enumerate() {
        let path = &schema.leaves()[leaf].path;
        let mut differences = Vec::new();
        if path != column.path {
            differences.push(format!(
                "column {}: paper {}, ours {path}",
                leaf + 1,
                column.path
            ));
        }
        let want: Vec<Row> = column.rows.iter().map(Row::from).collect();
        differences.extend(diff_rows(
            "row",
            &want,
            &column_rows(&schema, &stripes, leaf),
        ));
        out.push_str(&checks.record(format!("Figure 3, {}", column.path), differences));
    }

    section(&mut out, "Figure 4: the complete record-assembly automaton");
    let all: Vec<usize> = (0..schema.leaves().len()).collect();
    let fsm = Fsm::new(&schema, &all);
    out.push_str(&fsm_table(&fsm, &|p| p.to_string()));
    out.push_str(&checks.record(
        "Figure 4, transitions",
        diff_fsm(&paper::FIGURE_4, &fsm, &|p| p.to_string()),
    ));

    section(
        &mut out,
        "Record assembly: r1 and r2 read back from the stripes",
    );
    let assembled = assemble(&schema, &stripes, &all)?;
    out.push_str(&records_side_by_side(&["r1", "r2"], &assembled));
    out.push_str(&check_roundtrip(checks, "Dremel", &records, &assembled));

    section(
        &mut out,
        "Figure 5: projection on DocId and Name.Language.Country",
    );
    let projected = projection(&schema, &paper::FIGURE_5_COLUMNS)?;
    let fsm = Fsm::new(&schema, &projected);
    out.push_str(&fsm_table(&fsm, &|p| p.to_string()));
    out.push('\n');
    let partial = assemble(&schema, &stripes, &projected)?;
    out.push_str(&records_side_by_side(&["s1", "s2"], &partial));
    out.push_str(&checks.record(
        "Figure 5, transitions",
        diff_fsm(&paper::FIGURE_5_FSM, &fsm, &|p| p.to_string()),
    ));
    out.push_str(&check_projection(checks, "Figure 5", &partial));

    // The fixture records as written (absent fields absent), not in the paper schema's
    // canonical form, which turns an absent repeated field into an empty list.
    list_sections(&mut out, checks, &schema, &document_records(), &stripes)?;

    section(&mut out, "Summary");
    let failures = checks.failures().len();
    if failures == 0 {
        let _ = writeln!(out, "all {} checks match the paper", checks.len());
    } else {
        let _ = writeln!(
            out,
            "{failures} of {} checks DIFFER from the paper (see MISMATCH above)",
            checks.len()
        );
    }
    Ok(out)
}

/// The 3-level LIST part: schemas, levels, striped columns, assembly, projection, and
/// the definition states only LIST can tell apart. `records` are the fixture's JSON as
/// written: an absent list is a null list under LIST.
fn list_sections(
    out: &mut String,
    checks: &mut Checks,
    bare: &Schema,
    records: &[Json],
    bare_stripes: &[Stripe],
) -> Result<()> {
    section(
        out,
        "Today's encoding: the same schema with 3-level LIST fields",
    );
    let text = document_list_schema(Element::Optional);
    out.push_str(&text);
    out.push_str("\n\n(the required-element variant writes `required` instead of `optional` for every `element`)\n\n");
    let lists: Vec<(Element, Schema)> = Element::ALL
        .iter()
        .map(|&e| Ok((e, Schema::parse(&document_list_schema(e))?)))
        .collect::<shred::Result<_>>()?;
    let labels: Vec<String> = lists.iter().map(|(e, _)| e.label()).collect();
    out.push_str(&levels_table(&[
        ("Dremel", bare),
        (&labels[0], &lists[0].1),
        (&labels[1], &lists[1].1),
    ]));
    for (element, schema) in &lists {
        let paths: Vec<String> = schema.leaves().iter().map(|l| bare_path(&l.path)).collect();
        let want: Vec<String> = bare.leaves().iter().map(|l| l.path.clone()).collect();
        out.push_str(&checks.record(
            format!(
                "{}: same columns as the paper, in the same order",
                element.label()
            ),
            diff_rows("column", &want, &paths),
        ));
    }

    section(out, "LIST: the striped columns next to the paper's");
    let list_stripes: Vec<Vec<Stripe>> = lists
        .iter()
        .map(|(_, s)| shred_records(s, records))
        .collect::<shred::Result<_>>()?;
    let mut blocks = Vec::new();
    for (leaf, info) in bare.leaves().iter().enumerate() {
        let dremel = column_rows(bare, bare_stripes, leaf);
        let per_list: Vec<Vec<Row>> = lists
            .iter()
            .zip(&list_stripes)
            .map(|((_, s), stripes)| column_rows(s, stripes, leaf))
            .collect();
        let rows: Vec<Vec<String>> = dremel
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let mut cells = vec![row.value.clone(), row.r.to_string(), row.d.to_string()];
                cells.extend(
                    per_list
                        .iter()
                        .map(|rows| rows.get(i).map_or("-".to_string(), |r| r.d.to_string())),
                );
                cells
            })
            .collect();
        blocks.push(titled_table(
            &info.path,
            &["value", "r", "d", "d req", "d opt"],
            &rows,
        ));
        for ((element, _), rows) in lists.iter().zip(&per_list) {
            let predicted: Vec<Row> = dremel
                .iter()
                .map(|row| Row {
                    value: row.value.clone(),
                    r: row.r,
                    d: predicted_def(bare, leaf, row.d, *element),
                })
                .collect();
            checks.record(
                format!(
                    "{}, {}: same values and r, d = d_bare + k*{}",
                    element.label(),
                    info.path,
                    element.extra_def()
                ),
                diff_against("row", "predicted", &predicted, rows),
            );
        }
    }
    out.push_str(
        "d req / d opt: the entry's d under the required / optional element LIST schema\n\n",
    );
    out.push_str(&side_by_side(&blocks, WIDTH));
    out.push('\n');
    // The per-column checks above, printed together after the tables.
    let n = bare.leaves().len() * lists.len();
    let recent: Vec<String> = checks_tail(checks, n);
    for line in recent {
        out.push_str(&line);
    }

    section(out, "LIST: assembly and the Figure 5 projection");
    for ((element, schema), stripes) in lists.iter().zip(&list_stripes) {
        let all: Vec<usize> = (0..schema.leaves().len()).collect();
        let fsm = Fsm::new(schema, &all);
        out.push_str(&checks.record(
            format!("{}: automaton = Figure 4 with LIST paths", element.label()),
            diff_fsm(&paper::FIGURE_4, &fsm, &bare_path),
        ));
        let assembled = assemble(schema, stripes, &all)?;
        let canonical: Vec<Json> = records
            .iter()
            .enumerate()
            .map(|(i, r)| normalize(schema, r, i, None))
            .collect::<shred::Result<_>>()?;
        out.push_str(&check_roundtrip(
            checks,
            &element.label(),
            &canonical,
            &assembled,
        ));
        let list_columns: Vec<String> = paper::FIGURE_5_COLUMNS
            .iter()
            .map(|p| {
                schema
                    .leaves()
                    .iter()
                    .find(|l| bare_path(&l.path) == *p)
                    .map_or_else(|| p.to_string(), |l| l.path.clone())
            })
            .collect();
        let columns: Vec<&str> = list_columns.iter().map(String::as_str).collect();
        let projected = projection(schema, &columns)?;
        let fsm = Fsm::new(schema, &projected);
        if *element == Element::Optional {
            out.push('\n');
            out.push_str(&fsm_table(&fsm, &|p| p.to_string()));
            out.push('\n');
        }
        out.push_str(&checks.record(
            format!("{}: projection automaton = Figure 5's", element.label()),
            diff_fsm(&paper::FIGURE_5_FSM, &fsm, &bare_path),
        ));
        let partial = assemble(schema, stripes, &projected)?;
        out.push_str(&check_projection(checks, &element.label(), &partial));
    }

    section(out, "LIST: the definition states of Links.Backward");
    let schemas: Vec<(&str, &Schema)> = std::iter::once(("Dremel", bare))
        .chain(
            labels
                .iter()
                .map(String::as_str)
                .zip(lists.iter().map(|(_, s)| s)),
        )
        .collect();
    let mut levels_rows = Vec::new();
    let mut back_rows = Vec::new();
    for case in definition_states() {
        let mut levels_cells = vec![case.label.to_string()];
        let mut back_cells = vec![case.label.to_string()];
        let mut differences = Vec::new();
        for (k, (name, schema)) in schemas.iter().enumerate() {
            let got = backward_state(schema, &case.record);
            let levels = got.as_ref().map(|g| (g.r, g.d));
            levels_cells.push(levels.map_or("cannot hold".into(), |(r, d)| format!("r={r} d={d}")));
            back_cells.push(got.map_or("-".into(), |g| g.read_back));
            if levels != case.expected[k] {
                differences.push(format!(
                    "{name}: expected {:?}, got {:?}",
                    case.expected[k], levels
                ));
            }
        }
        levels_rows.push(levels_cells);
        back_rows.push(back_cells);
        checks.record(
            format!("Links.Backward states, {}", case.label),
            differences,
        );
    }
    let mut header = vec!["record"];
    header.extend(schemas.iter().map(|(n, _)| *n));
    out.push_str("First Links.Backward entry of each record:\n\n");
    out.push_str(&titled_table("", &header, &levels_rows));
    out.push_str("\nThe record's Links.Backward after shredding and assembling:\n\n");
    out.push_str(&titled_table("", &header, &back_rows));
    out.push('\n');
    for line in checks_tail(checks, 5) {
        out.push_str(&line);
    }
    Ok(())
}

/// The rendered lines of the last `n` checks (for checks made while building a table).
fn checks_tail(checks: &Checks, n: usize) -> Vec<String> {
    checks.last(n).iter().map(|o| o.render()).collect()
}

/// A record's first Links.Backward entry and the record's Links as read back.
struct BackwardState {
    r: i16,
    d: i16,
    read_back: String,
}

fn backward_state(schema: &Schema, record: &Json) -> Option<BackwardState> {
    let canonical = normalize(schema, record, 0, None).ok()?;
    let stripes = shred_records(schema, &[canonical]).ok()?;
    let leaf = schema
        .leaves()
        .iter()
        .position(|l| bare_path(&l.path) == "Links.Backward")?;
    let (r, d) = (stripes[leaf].rep[0], stripes[leaf].def[0]);
    let all: Vec<usize> = (0..schema.leaves().len()).collect();
    let back = assemble(schema, &stripes, &all).ok()?;
    let links = &back.first()?["Links"];
    let read_back = if links.is_null() {
        "Links: null".to_string()
    } else {
        format!("Backward: {}", links["Backward"])
    };
    Some(BackwardState { r, d, read_back })
}

/// Leaf indexes of the given column paths.
fn projection(schema: &Schema, paths: &[&str]) -> Result<Vec<usize>> {
    paths
        .iter()
        .map(|p| {
            schema
                .leaf_index(p)
                .with_context(|| format!("the schema has no column {p}"))
        })
        .collect()
}

fn assemble(schema: &Schema, stripes: &[Stripe], leaves: &[usize]) -> Result<Vec<Json>> {
    Assembler::new(schema, stripes, leaves)
        .collect::<shred::Result<Vec<Json>>>()
        .context("assembling records")
}

/// Checks that assembly gave back the records, as JSON and in the paper's notation.
fn check_roundtrip(
    checks: &mut Checks,
    encoding: &str,
    records: &[Json],
    assembled: &[Json],
) -> String {
    let mut out = String::new();
    for (i, (name, paper)) in [("r1", paper::FIGURE_2_R1), ("r2", paper::FIGURE_2_R2)]
        .into_iter()
        .enumerate()
    {
        let got = assembled.get(i).cloned().unwrap_or(Json::Null);
        let mut differences = diff_text(paper, &paper_text(&got));
        if let Some(d) = records.get(i).and_then(|r| first_difference(r, &got)) {
            differences.push(format!("input vs assembled: {d}"));
        }
        out.push_str(&checks.record(
            format!("{encoding}: {name} assembled = Figure 2's {name}"),
            differences,
        ));
    }
    if assembled.len() != 2 {
        out.push_str(&checks.record(
            format!("{encoding}: two records assembled"),
            vec![format!("got {} records", assembled.len())],
        ));
    }
    out
}

/// Checks projected records against Figure 5's s1 and s2.
fn check_projection(checks: &mut Checks, encoding: &str, partial: &[Json]) -> String {
    let mut out = String::new();
    for (i, (name, paper)) in [("s1", paper::FIGURE_5_S1), ("s2", paper::FIGURE_5_S2)]
        .into_iter()
        .enumerate()
    {
        let got = partial.get(i).map(paper_text).unwrap_or_default();
        out.push_str(&checks.record(
            format!("{encoding}: projected {name} = Figure 5's {name}"),
            diff_text(paper, &got),
        ));
    }
    out
}

/// Records in the paper's notation, side by side under their names.
fn records_side_by_side(names: &[&str], records: &[Json]) -> String {
    let blocks: Vec<String> = names
        .iter()
        .zip(records)
        .map(|(name, r)| {
            let text = paper_text(r);
            let width = text
                .lines()
                .map(str::len)
                .max()
                .unwrap_or(0)
                .max(name.len());
            format!("{name}\n{}\n{text}", "-".repeat(width))
        })
        .collect();
    side_by_side(&blocks, WIDTH)
}

/// Each schema's leaf columns with their maximum r and d, one column pair per schema.
fn levels_table(schemas: &[(&str, &Schema)]) -> String {
    let (_, first) = schemas[0];
    let rows: Vec<Vec<String>> = (0..first.leaves().len())
        .map(|leaf| {
            let mut cells = vec![first.leaves()[leaf].path.clone()];
            for (_, s) in schemas {
                let l = &s.leaves()[leaf];
                cells.push(format!("{} / {}", l.max_rep, l.max_def));
            }
            cells
        })
        .collect();
    let headers: Vec<String> = schemas
        .iter()
        .map(|(name, _)| format!("{name}: max r / d"))
        .collect();
    let mut header = vec!["column (paper path)"];
    header.extend(headers.iter().map(String::as_str));
    titled_table("", &header, &rows)
}

/// The automaton as a `from | r | to` table; `name` maps column paths for display.
fn fsm_table(fsm: &Fsm, name: &dyn Fn(&str) -> String) -> String {
    let rows: Vec<Vec<String>> = fsm
        .rows()
        .into_iter()
        .map(|t| {
            let levels: Vec<String> = t.levels.iter().map(i16::to_string).collect();
            vec![name(&t.from), levels.join(","), name(&t.to)]
        })
        .collect();
    titled_table("", &["after field", "next r", "go to"], &rows)
}

/// Differences between a paper automaton and ours, with our paths mapped by `name`.
fn diff_fsm(paper: &[Edge], fsm: &Fsm, name: &dyn Fn(&str) -> String) -> Vec<String> {
    let fmt = |from: &str, levels: &str, to: &str| format!("{from} --{levels}--> {to}");
    let want: Vec<String> = paper.iter().map(|e| fmt(e.from, e.levels, e.to)).collect();
    let ours: Vec<String> = fsm
        .rows()
        .into_iter()
        .map(|t| {
            let levels: Vec<String> = t.levels.iter().map(i16::to_string).collect();
            fmt(&name(&t.from), &levels.join(","), &name(&t.to))
        })
        .collect();
    diff_rows("transition", &want, &ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_matches_the_paper() {
        let mut checks = Checks::default();
        let text = report(&mut checks).unwrap();
        let failures: Vec<String> = checks.failures().iter().map(|f| f.render()).collect();
        assert!(failures.is_empty(), "{failures:?}");
        assert_eq!(checks.len(), 45);
        assert!(text.contains("all 45 checks match the paper"), "{text}");
        for title in [
            "Figure 2",
            "Figure 3",
            "Figure 4",
            "Figure 5",
            "3-level LIST",
        ] {
            assert!(text.contains(title), "{title}");
        }
    }

    #[test]
    fn a_wrong_transition_is_reported() {
        let schema = Schema::parse(DOCUMENT_SCHEMA).unwrap();
        let fsm = Fsm::new(&schema, &[0, 1, 2, 3, 4, 5]);
        let mut figure = paper::FIGURE_4;
        figure[7] = Edge {
            from: "Name.Language.Country",
            levels: "2",
            to: "Name.Url",
        };
        assert_eq!(
            diff_fsm(&figure, &fsm, &|p| p.to_string()),
            vec![
                "transition 8: paper Name.Language.Country --2--> Name.Url, \
                 ours Name.Language.Country --2--> Name.Language.Code"
                    .to_string()
            ]
        );
    }

    #[test]
    fn a_wrong_level_in_figure_3_is_reported() {
        let schema = Schema::parse(DOCUMENT_SCHEMA).unwrap();
        let stripes = shred_records(&schema, &document_records()).unwrap();
        let mut want: Vec<Row> = paper::FIGURE_3[4].rows.iter().map(Row::from).collect();
        want[1].d = 3;
        assert_eq!(
            diff_rows("row", &want, &column_rows(&schema, &stripes, 4)),
            vec!["row 2: paper (NULL, r=2, d=3), ours (NULL, r=2, d=2)".to_string()]
        );
    }

    #[test]
    fn list_paths_map_back_to_the_papers_for_projection() {
        let schema = Schema::parse(&document_list_schema(Element::Required)).unwrap();
        let leaves = projection(
            &schema,
            &["DocId", "Name.list.element.Language.list.element.Country"],
        )
        .unwrap();
        assert_eq!(leaves, vec![0, 4]);
        assert!(projection(&schema, &["Name.Language.Country"]).is_err());
    }
}
