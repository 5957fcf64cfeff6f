//! Property tests: random schemas with random records survive shred → assemble, and
//! shred → Parquet (our column writers) → arrow-rs; random contacts give the same levels
//! through the typed shredder, the generic shredder and arrow-rs; the JSON shredder and the
//! JSON reader (any thread count, any chunk size) give the generic shredder's stripes and
//! errors; and `shred write`'s engine (JSON reader → row-group writer, chunks encoded as
//! they come) writes the file the `parquet` crate's column writers write from the generic
//! shredder's stripes, which arrow-rs reads back as the records.

use proptest::prelude::*;
use serde_json::{Map, Value as Json, json};

use std::sync::Arc;

use shred::assembler::{Assembler, assemble_all};
use shred::buffered_out::BufferedOut;
use shred::contact::{CONTACT_SCHEMA, Contact, ContactStripes, Phone, PhoneType};
use shred::crosscheck::arrow_stripes;
use shred::json_reader::{JsonReader, ReadOptions};
use shred::json_shredder::{JsonShredder, RecordAt};
use shred::record::normalize;
use shred::row_group_writer::RowGroupWriter;
use shred::schema_plan::SchemaPlan;
use shred::shredder::{Shredder, shred_records};
use shred::stripe_diff::diff_stripes;
use shred::writer_settings::WriterSettings;
use shred::{Schema, Stripe};

#[derive(Clone, Copy, Debug)]
enum Rep {
    Required,
    Optional,
    Repeated,
}

impl Rep {
    fn keyword(self) -> &'static str {
        match self {
            Rep::Required => "required",
            Rep::Optional => "optional",
            Rep::Repeated => "repeated",
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Prim {
    Bool,
    Int32,
    Int64,
    Double,
    Utf8,
}

#[derive(Clone, Debug)]
enum Kind {
    Leaf(Prim),
    Group(Vec<Field>),
    /// 3-level LIST with this element field (named `element`).
    List(Box<Field>),
    /// MAP with string keys and this value field (named `value`).
    Map(Box<Field>),
}

#[derive(Clone, Debug)]
struct Field {
    rep: Rep,
    kind: Kind,
}

fn rep() -> impl Strategy<Value = Rep> {
    prop_oneof![
        Just(Rep::Required),
        Just(Rep::Optional),
        Just(Rep::Repeated)
    ]
}

fn not_repeated() -> impl Strategy<Value = Rep> {
    prop_oneof![Just(Rep::Required), Just(Rep::Optional)]
}

fn prim() -> impl Strategy<Value = Prim> {
    prop_oneof![
        Just(Prim::Bool),
        Just(Prim::Int32),
        Just(Prim::Int64),
        Just(Prim::Double),
        Just(Prim::Utf8)
    ]
}

fn field() -> impl Strategy<Value = Field> {
    let leaf = (rep(), prim()).prop_map(|(rep, p)| Field {
        rep,
        kind: Kind::Leaf(p),
    });
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            (rep(), prop::collection::vec(inner.clone(), 1..4)).prop_map(|(rep, children)| Field {
                rep,
                kind: Kind::Group(children)
            }),
            (not_repeated(), not_repeated(), inner.clone()).prop_map(
                |(rep, element_rep, mut e)| {
                    e.rep = element_rep;
                    Field {
                        rep,
                        kind: Kind::List(Box::new(e)),
                    }
                }
            ),
            (not_repeated(), not_repeated(), inner).prop_map(|(rep, value_rep, mut v)| {
                v.rep = value_rep;
                Field {
                    rep,
                    kind: Kind::Map(Box::new(v)),
                }
            }),
        ]
    })
}

fn schema_text(fields: &[Field]) -> String {
    fn write(f: &Field, name: &str, out: &mut String) {
        let rep = f.rep.keyword();
        match &f.kind {
            Kind::Leaf(p) => {
                let ty = match p {
                    Prim::Bool => "boolean",
                    Prim::Int32 => "int32",
                    Prim::Int64 => "int64",
                    Prim::Double => "double",
                    Prim::Utf8 => "binary",
                };
                let ann = if matches!(p, Prim::Utf8) {
                    " (STRING)"
                } else {
                    ""
                };
                out.push_str(&format!("{rep} {ty} {name}{ann}; "));
            }
            Kind::Group(children) => {
                out.push_str(&format!("{rep} group {name} {{ "));
                for (i, c) in children.iter().enumerate() {
                    write(c, &format!("f{i}"), out);
                }
                out.push_str("} ");
            }
            Kind::List(e) => {
                out.push_str(&format!(
                    "{rep} group {name} (LIST) {{ repeated group list {{ "
                ));
                write(e, "element", out);
                out.push_str("} } ");
            }
            Kind::Map(v) => {
                out.push_str(&format!(
                    "{rep} group {name} (MAP) {{ repeated group key_value {{ required binary key (STRING); "
                ));
                write(v, "value", out);
                out.push_str("} } ");
            }
        }
    }
    let mut out = String::from("message m { ");
    for (i, f) in fields.iter().enumerate() {
        write(f, &format!("c{i}"), &mut out);
    }
    out.push('}');
    out
}

/// A strategy for the JSON slot of `f`.
fn slot(f: &Field) -> BoxedStrategy<Json> {
    let present = present(f);
    match f.rep {
        Rep::Required => present,
        Rep::Optional => prop_oneof![1 => Just(Json::Null), 3 => present].boxed(),
        Rep::Repeated => prop::collection::vec(present, 0..3)
            .prop_map(Json::Array)
            .boxed(),
    }
}

fn present(f: &Field) -> BoxedStrategy<Json> {
    match &f.kind {
        Kind::Leaf(Prim::Bool) => any::<bool>().prop_map(Json::from).boxed(),
        Kind::Leaf(Prim::Int32) => any::<i32>().prop_map(Json::from).boxed(),
        Kind::Leaf(Prim::Int64) => any::<i64>().prop_map(Json::from).boxed(),
        Kind::Leaf(Prim::Double) => (-1e6..1e6f64).prop_map(Json::from).boxed(),
        Kind::Leaf(Prim::Utf8) => "[a-z☃]{0,4}".prop_map(Json::from).boxed(),
        Kind::Group(children) => {
            let parts: Vec<BoxedStrategy<(String, Json)>> = children
                .iter()
                .enumerate()
                .map(|(i, c)| slot(c).prop_map(move |v| (format!("f{i}"), v)).boxed())
                .collect();
            parts
                .prop_map(|kv| Json::Object(kv.into_iter().collect::<Map<_, _>>()))
                .boxed()
        }
        Kind::List(e) => prop::collection::vec(slot(e), 0..3)
            .prop_map(Json::Array)
            .boxed(),
        Kind::Map(v) => prop::collection::vec(("[a-c]{1,2}", slot(v)), 0..3)
            .prop_map(|entries| {
                Json::Array(
                    entries
                        .into_iter()
                        .map(|(k, v)| json!({"key": k, "value": v}))
                        .collect(),
                )
            })
            .boxed(),
    }
}

fn schema_and_records() -> impl Strategy<Value = (String, Vec<Json>)> {
    prop::collection::vec(field(), 1..4).prop_flat_map(|fields| {
        let text = schema_text(&fields);
        let record: Vec<BoxedStrategy<(String, Json)>> = fields
            .iter()
            .enumerate()
            .map(|(i, f)| slot(f).prop_map(move |v| (format!("c{i}"), v)).boxed())
            .collect();
        let record = record.prop_map(|kv| Json::Object(kv.into_iter().collect::<Map<_, _>>()));
        (Just(text), prop::collection::vec(record, 0..6))
    })
}

fn canonical(schema: &Schema, records: &[Json]) -> Vec<Json> {
    records
        .iter()
        .enumerate()
        .map(|(i, r)| normalize(schema, r, i, None).unwrap())
        .collect()
}

/// The records of a Parquet file as arrow-rs reads them, in canonical form.
fn arrow_records(schema: &Schema, file: Vec<u8>) -> Vec<Json> {
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        bytes::Bytes::from(file),
    )
    .unwrap()
    .build()
    .unwrap();
    let mut records = Vec::new();
    for batch in reader {
        records.extend(shred::arrow_read::batch_to_records(schema, &batch.unwrap()).unwrap());
    }
    records
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn shred_then_assemble_gives_the_records_back((text, records) in schema_and_records()) {
        let schema = Schema::parse(&text).unwrap();
        let expected = canonical(&schema, &records);
        let stripes = shred_records(&schema, &records).unwrap();
        for (leaf, stripe) in schema.leaves().iter().zip(&stripes) {
            prop_assert_eq!(stripe.num_records(), records.len(), "column {}", leaf.path);
        }
        prop_assert_eq!(assemble_all(&schema, &stripes).unwrap(), expected);
    }

    /// The records printed as the FSM reads them are the assembled records as
    /// `serde_json` prints them, for all columns and for a random projection.
    #[test]
    fn printed_records_are_the_assembled_records(
        (text, records) in schema_and_records(),
        keep in prop::collection::vec(any::<bool>(), 64),
    ) {
        let schema = Schema::parse(&text).unwrap();
        let stripes = shred_records(&schema, &records).unwrap();
        let all: Vec<usize> = (0..schema.leaves().len()).collect();
        let mut some: Vec<usize> = all.iter().copied().filter(|&l| keep[l % keep.len()]).collect();
        if some.is_empty() {
            some.push(all.len() - 1);
        }
        for leaves in [all, some] {
            let expected: String = Assembler::new(&schema, &stripes, &leaves)
                .map(|record| format!("{}\n", record.unwrap()))
                .collect();
            let mut printed = Vec::new();
            let mut out = BufferedOut::new(&mut printed);
            let mut assembler = Assembler::new(&schema, &stripes, &leaves);
            while assembler.write_record(&mut out).unwrap() {
                out.buffer().put(b"\n");
            }
            out.finish().unwrap();
            prop_assert_eq!(String::from_utf8(printed).unwrap(), expected, "leaves {:?}", leaves);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn written_file_reads_back_in_arrow_rs((text, records) in schema_and_records()) {
        prop_assume!(!records.is_empty());
        let schema = Schema::parse(&text).unwrap();
        let expected = canonical(&schema, &records);
        let stripes = shred_records(&schema, &records).unwrap();
        let bytes = shred::column_io::write_file(
            Vec::new(),
            &schema,
            parquet::file::properties::WriterProperties::default(),
            [stripes],
        )
        .unwrap();
        prop_assert_eq!(arrow_records(&schema, bytes), expected, "schema {}", text);
    }
}

fn contact() -> impl Strategy<Value = Contact> {
    let phone_type = prop::option::of(prop_oneof![
        Just(PhoneType::Mobile),
        Just(PhoneType::Work),
        Just(PhoneType::Home)
    ]);
    let phone = prop::option::of((prop::option::of("\\+91-[0-9]{10}"), phone_type))
        .prop_map(|p| p.map(|(number, phone_type)| Phone { number, phone_type }));
    (
        prop::option::of("[A-Z][a-z]{0,6} [A-Z][a-z]{0,8}"),
        prop::option::of(prop::collection::vec(phone, 0..5)),
    )
        .prop_map(|(name, phones)| Contact { name, phones })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn typed_generic_and_arrow_levels_agree(contacts in prop::collection::vec(contact(), 1..40)) {
        let schema = Schema::parse(CONTACT_SCHEMA).unwrap();
        let mut typed = ContactStripes::default();
        typed.shred(&contacts);
        let typed: Vec<Stripe> = typed.columns().into_iter().cloned().collect();
        let records: Vec<Json> = contacts.iter().map(Contact::to_json).collect();
        let generic = shred_records(&schema, &records).unwrap();
        prop_assert_eq!(&typed, &generic);
        let (_, arrow) = arrow_stripes(&contacts).unwrap();
        if let Some(m) = diff_stripes(&schema, &arrow, &typed) {
            prop_assert!(false, "{}", m);
        }
    }
}

/// The JSON shredder's result for one record: its stripes alone, or its error text.
fn json_shred(plan: &SchemaPlan, text: &str) -> Result<Vec<Stripe>, String> {
    let mut shredder = JsonShredder::new(plan);
    let at = RecordAt {
        source: "in.ndjson",
        record: 0,
        line: Some(1),
    };
    match shredder.shred(text.as_bytes(), &at) {
        Ok(()) => {
            assert_eq!(shredder.reference_records(), 0, "fast path declined {text}");
            Ok(shredder.take())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// The reference path's result for one record, with the same error labels.
fn reference_shred(schema: &Schema, record: &Json) -> Result<Vec<Stripe>, String> {
    normalize(schema, record, 0, Some(1))
        .map_err(|e| format!("in.ndjson: {e}"))
        .and_then(|c| {
            let mut s = Shredder::new(schema);
            s.shred(&c).map_err(|e| e.to_string())?;
            Ok(s.take())
        })
}

/// Every value position in a JSON tree (object fields and array elements), as pointers.
fn pointers(value: &Json, at: String, out: &mut Vec<String>) {
    match value {
        Json::Object(fields) => {
            for (k, v) in fields {
                let p = format!("{at}/{k}");
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        Json::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        _ => {}
    }
}

/// Replacements that break most records somewhere: wrong types, nulls, unknown fields.
fn replacement() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        Just(json!("x")),
        Just(json!(7)),
        Just(json!(-7)),
        Just(json!(1.5)),
        Just(json!(5_000_000_000_u64)),
        Just(json!(true)),
        Just(json!([])),
        Just(json!([1, null])),
        Just(json!({})),
        Just(json!({"zz": 1})),
        Just(json!("NaN")),
    ]
}

/// A change to a record's JSON text, at some byte.
#[derive(Debug, Clone)]
enum TextEdit {
    Insert(&'static str),
    Delete,
}

/// Edits that make most texts malformed, and some that keep them JSON but read otherwise:
/// escapes (inside a string), numbers in other spellings, whitespace.
fn text_edit() -> impl Strategy<Value = TextEdit> {
    const PIECES: [&str; 32] = [
        " ",
        "\t",
        "\n",
        "\"",
        "\\",
        ",",
        ":",
        "[",
        "]",
        "{",
        "}",
        "0",
        "-",
        ".",
        "e",
        "E+",
        "n",
        "null",
        "true",
        "x",
        "\\n",
        "\\u00e9",
        "\\ud83d\\ude00",
        "\\ud83d",
        "\\u12",
        "\\/",
        "\u{1}",
        "1e5",
        "-0",
        "18446744073709551616",
        "1.0",
        "é",
    ];
    prop_oneof![
        4 => prop::sample::select(&PIECES[..]).prop_map(TextEdit::Insert),
        1 => Just(TextEdit::Delete),
    ]
}

proptest! {
    // An edit lands where it changes how a number or string reads in a few cases of a
    // hundred: enough cases that each kind is met.
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn json_shredder_reads_any_text_as_the_reference_does(
        (text, records) in schema_and_records(),
        record in any::<prop::sample::Index>(),
        pretty in any::<bool>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), text_edit()), 0..3),
    ) {
        let schema = Schema::parse(&text).unwrap();
        let plan = SchemaPlan::new(&schema);
        let record = records.get(record.index(records.len().max(1))).cloned().unwrap_or(json!({}));
        let mut json = if pretty {
            serde_json::to_string_pretty(&record).unwrap()
        } else {
            record.to_string()
        }
        .into_bytes();
        for (position, edit) in edits {
            let i = position.index(json.len() + 1);
            match edit {
                TextEdit::Insert(piece) => {
                    json.splice(i..i, piece.bytes());
                }
                TextEdit::Delete if i < json.len() => {
                    json.remove(i);
                }
                TextEdit::Delete => {}
            }
        }
        let at = RecordAt { source: "in.ndjson", record: 0, line: Some(1) };
        let expected = shred::json_shredder::reference_record(&plan, &json, &at)
            .and_then(|canonical| {
                let mut reference = Shredder::new(&schema);
                reference.shred(&canonical)?;
                Ok(reference.take())
            })
            .map_err(|e| e.to_string());
        let mut shredder = JsonShredder::new(&plan);
        let got = shredder
            .shred(&json, &at)
            .map(|()| shredder.take())
            .map_err(|e| e.to_string());
        // Compared as debug text, so a NaN value equals itself.
        prop_assert_eq!(
            format!("{got:?}"),
            format!("{expected:?}"),
            "record {}", String::from_utf8_lossy(&json)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn json_shredder_gives_the_reference_stripes((text, records) in schema_and_records()) {
        let schema = Schema::parse(&text).unwrap();
        let plan = SchemaPlan::new(&schema);
        let mut shredder = JsonShredder::new(&plan);
        // The reference reads the same text (floats go through one parser).
        let mut parsed = Vec::new();
        for (i, record) in records.iter().enumerate() {
            let text = record.to_string();
            let at = RecordAt { source: "in.ndjson", record: i, line: Some(i + 1) };
            shredder.shred(text.as_bytes(), &at).unwrap();
            parsed.push(serde_json::from_str::<Json>(&text).unwrap());
        }
        prop_assert_eq!(shredder.reference_records(), 0);
        prop_assert_eq!(shredder.take(), shred_records(&schema, &parsed).unwrap());
    }

    #[test]
    fn json_shredder_rejects_what_the_reference_rejects_with_its_words(
        (text, records) in schema_and_records(),
        record in any::<prop::sample::Index>(),
        position in any::<prop::sample::Index>(),
        value in replacement(),
    ) {
        prop_assume!(!records.is_empty());
        let schema = Schema::parse(&text).unwrap();
        let plan = SchemaPlan::new(&schema);
        let mut record = records[record.index(records.len())].clone();
        let mut positions = Vec::new();
        pointers(&record, String::new(), &mut positions);
        if positions.is_empty() {
            record = value;
        } else {
            *record.pointer_mut(&positions[position.index(positions.len())]).unwrap() = value;
        }
        // The reference reads the same text (floats go through one parser).
        let text = record.to_string();
        let reparsed: Json = serde_json::from_str(&text).unwrap();
        // Compared as debug text, so a NaN value equals itself.
        prop_assert_eq!(
            format!("{:?}", json_shred(&plan, &text)),
            format!("{:?}", reference_shred(&schema, &reparsed)),
            "record {}", text
        );
    }

    #[test]
    fn json_reader_row_groups_are_the_same_on_one_and_many_threads(
        (text, records) in schema_and_records(),
        row_group_size in 1..4usize,
        chunk_bytes in 1..200usize,
        threads in 2..5usize,
    ) {
        let schema = Schema::parse(&text).unwrap();
        let plan = Arc::new(SchemaPlan::new(&schema));
        let ndjson: String = records.iter().map(|r| format!("{r}\n")).collect();
        let read = |threads: usize, chunk_bytes: usize| -> Vec<Vec<Stripe>> {
            let options = ReadOptions { row_group_size, threads, chunk_bytes, ..ReadOptions::default() };
            let input = Box::new(std::io::Cursor::new(ndjson.clone().into_bytes()));
            JsonReader::from_reader(plan.clone(), "in.ndjson", input, options)
                .map(|rg| rg.unwrap().stripes)
                .collect()
        };
        let parsed: Vec<Json> = ndjson.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let expected: Vec<Vec<Stripe>> = parsed
            .chunks(row_group_size)
            .map(|chunk| shred_records(&schema, chunk).unwrap())
            .collect();
        prop_assert_eq!(&read(1, 1 << 20), &expected);
        prop_assert_eq!(&read(threads, chunk_bytes), &expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn streamed_write_is_the_column_writers_file_and_reads_back_in_arrow_rs(
        (text, records) in schema_and_records(),
        row_group_size in 1..4usize,
        chunk_bytes in 1..200usize,
        threads in 1..4usize,
        write_batch_size in 1..4usize,
        page_rows in 1..4usize,
        dictionary_page_size in prop_oneof![Just(None), (1..40usize).prop_map(Some)],
    ) {
        prop_assume!(!records.is_empty());
        let schema = Schema::parse(&text).unwrap();
        // Mini-batches and pages of a few levels, dictionaries that fall back to PLAIN:
        // cuts that land inside a chunk, across chunks and across row groups.
        let settings = WriterSettings {
            write_batch_size: Some(write_batch_size),
            data_page_row_limit: Some(page_rows),
            dictionary_page_size,
            ..WriterSettings::default()
        };
        let props = || settings.properties(&schema, row_group_size as u64).unwrap().build();
        for column in schema.descriptor().columns() {
            let encoder = shred::chunk_encoder::ChunkEncoder::new(column.clone(), &props());
            prop_assert!(encoder.is_ok(), "{} is hand-encoded", column.path());
        }
        let ndjson: String = records.iter().map(|r| format!("{r}\n")).collect();
        let options = ReadOptions { row_group_size, threads, chunk_bytes, ..ReadOptions::default() };
        let input = Box::new(std::io::Cursor::new(ndjson.clone().into_bytes()));
        let plan = Arc::new(SchemaPlan::new(&schema));
        let mut reader = JsonReader::from_reader(plan, "in.ndjson", input, options);
        let mut writer = parquet::file::writer::SerializedFileWriter::new(
            Vec::new(),
            schema.message_type(),
            Arc::new(props()),
        )
        .unwrap();
        let mut row_groups = RowGroupWriter::new(&writer, &schema, threads).unwrap();
        row_groups.write_all(&mut reader, &mut writer).unwrap();
        let streamed = writer.into_inner().unwrap();
        // The reference: the generic shredder's stripes of each row group, written column
        // by column by the crate's writers.
        let parsed: Vec<Json> = ndjson.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let reference: Vec<Vec<Stripe>> = parsed
            .chunks(row_group_size)
            .map(|chunk| shred_records(&schema, chunk).unwrap())
            .collect();
        let expected = shred::column_io::write_file(Vec::new(), &schema, props(), reference).unwrap();
        prop_assert!(streamed == expected, "schema {}", text);
        prop_assert_eq!(arrow_records(&schema, streamed), canonical(&schema, &parsed), "schema {}", text);
    }
}
