//! The `shred-inspect` binary on bad input: one line on stderr naming the file and what is
//! wrong, exit code 2 (1 when the file's stored histograms disagree with its data), never
//! a panic; and on good input, exit 0 with the expected output.

mod common;

use assert_cmd::Command;
use parquet::file::properties::WriterProperties;
use predicates::prelude::*;
use serde_json::json;

use common::write_with_shred;

/// The binary cargo built for this package.
fn inspect() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shred-inspect"))
}

fn contacts_file() -> common::TestFile {
    let records: Vec<serde_json::Value> = (0..50)
        .map(|i| {
            json!({"name": if i % 5 == 0 { None } else { Some(format!("N{i}")) },
                   "phones": if i % 3 == 0 { None } else { Some(vec![json!({"number": format!("+91-{i:010}"), "phone_type": "Work"})]) }})
        })
        .collect();
    write_with_shred(
        shred::contact::CONTACT_SCHEMA,
        &records,
        &[20, 30],
        WriterProperties::builder().build(),
    )
}

/// Runs the binary and checks a clean failure: the exit code, and one stderr line that
/// names `file` and contains `what`.
fn fails(args: &[&str], code: i32, file: &str, what: &str) {
    let output = inspect().args(args).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.starts_with(&format!("shred-inspect: {file}: ")),
        "{stderr}"
    );
    assert!(stderr.contains(what), "{what} in {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn missing_file() {
    for cmd in ["schema", "meta", "pages", "levels", "histogram"] {
        fails(
            &[cmd, "/nonexistent/x.parquet"],
            2,
            "/nonexistent/x.parquet",
            "cannot open",
        );
    }
    fails(
        &["record", "/nonexistent/x.parquet", "0"],
        2,
        "/nonexistent/x.parquet",
        "cannot open",
    );
}

#[test]
fn not_parquet_empty_and_directory() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "just some text, long enough to have a tail\n").unwrap();
    let text = text.to_str().unwrap();
    fails(&["meta", text], 2, text, "not a Parquet file");
    let empty = dir.path().join("empty.parquet");
    std::fs::write(&empty, b"").unwrap();
    let empty = empty.to_str().unwrap();
    fails(&["levels", empty], 2, empty, "0 bytes");
    let d = dir.path().to_str().unwrap();
    fails(&["schema", d], 2, d, "is a directory");
}

#[test]
fn truncated_file() {
    let f = contacts_file();
    let bytes = std::fs::read(&f.path).unwrap();
    let cut = f.dir.path().join("cut.parquet");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let cut = cut.to_str().unwrap();
    for cmd in ["schema", "meta", "pages", "levels", "histogram"] {
        fails(&[cmd, cut], 2, cut, "truncated or corrupt Parquet file");
    }
}

#[test]
fn corrupt_footer() {
    let f = contacts_file();
    let mut bytes = std::fs::read(&f.path).unwrap();
    let n = bytes.len();
    let footer_len = u32::from_le_bytes(bytes[n - 8..n - 4].try_into().unwrap()) as usize;
    // Garbage over the start of the footer's thrift struct.
    for b in &mut bytes[n - 8 - footer_len..n - 8 - footer_len + 16] {
        *b = 0xff;
    }
    let bad = f.dir.path().join("footer.parquet");
    std::fs::write(&bad, &bytes).unwrap();
    let bad = bad.to_str().unwrap();
    fails(&["meta", bad], 2, bad, "corrupt footer");
    // A footer length larger than the file.
    bytes[n - 8..n - 4].copy_from_slice(&(n as u32).to_le_bytes());
    std::fs::write(bad, &bytes).unwrap();
    fails(&["schema", bad], 2, bad, "corrupt footer: its length field");
}

#[test]
fn corrupt_page_header() {
    let f = contacts_file();
    let mut bytes = std::fs::read(&f.path).unwrap();
    // The first page header of the first column chunk starts right after "PAR1".
    for b in &mut bytes[4..12] {
        *b = 0xff;
    }
    let bad = f.dir.path().join("page.parquet");
    std::fs::write(&bad, &bytes).unwrap();
    let bad = bad.to_str().unwrap();
    fails(
        &["pages", bad],
        2,
        bad,
        "row group 0, column name, page 0: corrupt page header at offset 4",
    );
    fails(&["levels", bad], 2, bad, "row group 0, column name");
    fails(&["histogram", bad], 2, bad, "row group 0, column name");
    fails(&["record", bad, "3"], 2, bad, "row group 0, column name");
    // The footer is intact: schema and meta still work.
    inspect().args(["schema", bad]).assert().success();
}

#[test]
fn unknown_column_and_out_of_range_selections() {
    let f = contacts_file();
    let p = f.path_str();
    fails(
        &["levels", p, "--column", "phones.nope"],
        2,
        p,
        "no column 'phones.nope' (columns: name, phones.list.item.number, phones.list.item.phone_type)",
    );
    fails(&["pages", p, "--column", "x"], 2, p, "no column 'x'");
    fails(
        &["levels", p, "--row-group", "7"],
        2,
        p,
        "no row group 7 (the file has 2)",
    );
    fails(
        &["record", p, "50"],
        2,
        p,
        "no record 50: the file has 50 records",
    );
}

#[test]
fn bad_usage_exits_2() {
    inspect().args(["levels"]).assert().code(2);
    inspect()
        .args(["levels", "x.parquet", "--records", "9..3"])
        .assert()
        .code(2);
    inspect()
        .args(["record", "x.parquet", "seven"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a record index"));
    inspect().args(["frobnicate"]).assert().code(2);
}

#[test]
fn group_path_selects_its_leaves() {
    let f = contacts_file();
    let out = inspect()
        .args([
            "levels",
            f.path_str(),
            "--column",
            "phones",
            "--format",
            "json",
            "--limit",
            "1",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines = common::json_lines(&String::from_utf8(out).unwrap());
    let columns: Vec<&str> = lines
        .iter()
        .map(|l| l["column"].as_str().unwrap())
        .collect();
    assert_eq!(
        columns,
        ["phones.list.item.number", "phones.list.item.phone_type"],
        "one entry each, name not selected"
    );
}

/// Replaces the one occurrence of `from` in the footer of `bytes` with `to` (any length:
/// the footer is last, so only its length field moves).
fn patch_footer(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let n = bytes.len();
    let footer_len = u32::from_le_bytes(bytes[n - 8..n - 4].try_into().unwrap()) as usize;
    let footer_start = n - 8 - footer_len;
    let footer = &bytes[footer_start..n - 8];
    let hits: Vec<usize> = (0..footer.len() - from.len())
        .filter(|&i| &footer[i..i + from.len()] == from)
        .collect();
    assert_eq!(hits.len(), 1, "the pattern occurs once in the footer");
    let mut new_footer = footer[..hits[0]].to_vec();
    new_footer.extend_from_slice(to);
    new_footer.extend_from_slice(&footer[hits[0] + from.len()..]);
    let mut out = bytes[..footer_start].to_vec();
    out.extend_from_slice(&new_footer);
    out.extend_from_slice(&(new_footer.len() as u32).to_le_bytes());
    out.extend_from_slice(b"PAR1");
    out
}

/// A file whose one column's chunk has the definition histogram [37, 53]: the thrift
/// list<i64> 0x26 (2 elements of type i64), zigzag 74, zigzag 106.
fn histogram_file() -> common::TestFile {
    let records: Vec<serde_json::Value> = (0..90)
        .map(|i| if i < 37 { json!({}) } else { json!({"x": i}) })
        .collect();
    write_with_shred(
        "message m { optional int32 x; }",
        &records,
        &[90],
        WriterProperties::builder().build(),
    )
}

const HISTOGRAM_37_53: [u8; 3] = [0x26, 74, 106];

#[test]
fn stored_histogram_that_disagrees_exits_1() {
    let f = histogram_file();
    inspect()
        .args(["histogram", f.path_str()])
        .assert()
        .success();
    let bytes = patch_footer(
        &std::fs::read(&f.path).unwrap(),
        &HISTOGRAM_37_53,
        &[0x26, 74, 108],
    );
    let bad = f.dir.path().join("hist.parquet");
    std::fs::write(&bad, &bytes).unwrap();
    let bad = bad.to_str().unwrap();
    fails(
        &["histogram", bad],
        1,
        bad,
        "row group 0, column x: the stored definition level histogram 0:37 1:54 differs from the levels in the data 0:37 1:53",
    );
    // The table is printed before the error.
    let output = inspect().args(["histogram", bad]).output().unwrap();
    assert!(String::from_utf8(output.stdout).unwrap().contains("54"));
}

#[test]
fn empty_stored_histogram_is_no_histogram() {
    // Arrow C++ writes an empty list where the format lets it omit a histogram.
    let f = histogram_file();
    let bytes = patch_footer(&std::fs::read(&f.path).unwrap(), &HISTOGRAM_37_53, &[0x06]);
    let empty = f.dir.path().join("empty-hist.parquet");
    std::fs::write(&empty, &bytes).unwrap();
    let out = inspect()
        .args(["histogram", empty.to_str().unwrap(), "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{\"column\":\"x\",\"max_r\":0,\"max_d\":1,\"d\":[37,53],\"r\":[90],\"stored_d\":null,\"stored_r\":null}\n"
    );
    inspect()
        .args(["meta", empty.to_str().unwrap(), "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "\"definition_level_histogram\":null",
        ));
}

#[test]
fn good_file_every_command_exits_0() {
    let f = contacts_file();
    for cmd in ["schema", "meta", "pages", "levels", "histogram"] {
        for format in ["table", "json"] {
            inspect()
                .args([cmd, f.path_str(), "--format", format])
                .assert()
                .success()
                .stderr("");
        }
    }
    inspect()
        .args(["record", f.path_str(), "22"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            r#"{"name":"N22","phones":[{"number":"+91-0000000022","phone_type":"Work"}]}"#,
        ));
}

#[test]
fn bench_counts_every_entry_of_the_file() {
    let f = contacts_file();
    let levels = inspect()
        .args(["levels", f.path_str(), "--format", "json"])
        .output()
        .unwrap();
    let entries = String::from_utf8(levels.stdout).unwrap().lines().count();
    let out = inspect()
        .args(["bench", "--file", f.path_str(), "--runs", "1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("50 records, 2 row groups"), "{table}");
    for row in [
        "read levels only",
        "json via serde_json::Value",
        "levels --format json",
    ] {
        let line = table.lines().find(|l| l.contains(row)).expect(row);
        // `│ what │ entries │ ...`
        let cells: Vec<&str> = line.split('│').map(str::trim).collect();
        assert_eq!(cells[2], entries.to_string(), "{line}");
    }
}

#[test]
fn closed_output_pipe_ends_quietly() {
    // Far more output than a pipe buffer holds, and than one `BufferedOut` buffer (so the
    // write fails mid-print, not at the end): read one line of it, then close the pipe.
    let records: Vec<serde_json::Value> = (0..200_000).map(|i| json!({"x": i})).collect();
    let f = write_with_shred(
        "message m { optional int64 x; }",
        &records,
        &[200_000],
        WriterProperties::builder().build(),
    );
    for (args, first_line) in [
        (&["levels", "--format", "json"][..], "{\"column\":\"x\""),
        (&["cat", "--format", "json"][..], "{\"x\":0}"),
        (&["cat"][..], "┌"),
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shred-inspect"))
            .args(&args[..1])
            .arg(f.path_str())
            .args(&args[1..])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
        assert!(first.starts_with(first_line), "{args:?}: {first}");
        drop(stdout);
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8(output.stderr).unwrap(), "", "{args:?}");
    }
}

#[test]
fn record_json_line_is_exact() {
    let f = write_with_shred(
        "message m { optional int64 x; repeated binary s (STRING); }",
        &[json!({"x": 1, "s": ["a", "b\""]})],
        &[1],
        WriterProperties::builder()
            .set_dictionary_enabled(false)
            .build(),
    );
    let out = common::run_ok(&["record", f.path_str(), "0", "--format", "json"]);
    assert_eq!(
        out,
        concat!(
            r#"{"record":0,"row_group":0,"columns":["#,
            r#"{"column":"x","entries":[{"entry":0,"page":0,"r":0,"d":1,"value":1}]},"#,
            r#"{"column":"s","entries":[{"entry":0,"page":0,"r":0,"d":1,"value":"a"},"#,
            r#"{"entry":1,"page":0,"r":1,"d":1,"value":"b\""}]}],"#,
            r#""assembled":{"x":1,"s":["a","b\""]}}"#,
            "\n"
        )
    );
}
