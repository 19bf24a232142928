//! Interoperability with the tools other teams use: real `flatc` (Debian's
//! `flatbuffers-compiler`) and flatc-generated Python on the `flatbuffers`
//! Python runtime. For every derive feature: flatc accepts the exported
//! schema (`--cpp`, `--python`), decodes our payloads to the expected JSON,
//! and builds binaries from JSON that our typed reading decodes (with and
//! without `--force-defaults`), schema evolution both ways; and the Python
//! frame reader of docs/derive.md reads a stream written here.
//!
//! `build.rs` finds the tools; without them these tests are ignored (and
//! `cargo test` says why), with `FLATSTREAM_REQUIRE_FLATC=1` (set by
//! `.ci/run`) their absence fails the build.

use std::path::{Path, PathBuf};
use std::process::Command;

use flatstream::prelude::*;
use serde_json::{json, Value};

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, Copy, PartialEq)]
#[repr(u8)]
pub enum Quality {
    Good = 1,
    Suspect = 2,
    Bad = 7,
}

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, Copy, PartialEq)]
#[repr(i16)]
pub enum Color {
    Red = 0,
    Green = 1,
    Blue = 2,
}

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Every feature docs/derive.md lists.
#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
#[frame(len = u32, checksum = crc32)]
pub struct Everything {
    pub flag: bool,
    pub small: u8,
    pub tiny: i8,
    pub short_u: u16,
    pub short_i: i16,
    pub word_u: u32,
    pub word_i: i32,
    pub long_u: u64,
    pub long_i: i64,
    pub ratio: f32,
    pub precise: f64,
    #[flatstream(default = 20)]
    pub with_default: f64,
    pub text: String,
    pub opt_int: Option<i32>,
    pub opt_text: Option<String>,
    pub opt_point: Option<Point>,
    pub quality: Quality,
    pub color: Color,
    pub maybe_color: Option<Color>,
    #[flatstream(default = Color::Blue)]
    pub painted: Color,
    pub bytes: Vec<u8>,
    pub bools: Vec<bool>,
    pub tinies: Vec<i8>,
    pub shorts_u: Vec<u16>,
    pub shorts_i: Vec<i16>,
    pub words_u: Vec<u32>,
    pub words_i: Vec<i32>,
    pub longs_u: Vec<u64>,
    pub longs_i: Vec<i64>,
    pub ratios: Vec<f32>,
    pub precises: Vec<f64>,
    pub texts: Vec<String>,
    pub points: Vec<Point>,
    pub colors: Vec<Color>,
    pub qualities: Vec<Quality>,
    pub point: Point,
    pub boxed: Box<Point>,
    #[flatstream(id = 37)]
    pub pinned: u32,
    /// Not required: absent reads as empty.
    #[flatstream(default)]
    pub note: String,
    /// Not encoded at all, so not in the schema; decodes as its default.
    #[flatstream(skip)]
    pub cache: u32,
}

fn everything() -> Everything {
    Everything {
        flag: true,
        small: u8::MAX,
        tiny: i8::MIN,
        short_u: u16::MAX,
        short_i: i16::MIN,
        word_u: u32::MAX,
        word_i: i32::MIN,
        long_u: u64::MAX,
        long_i: i64::MIN,
        ratio: 1.5,
        precise: -0.25,
        with_default: 0.0,
        text: "héllo".into(),
        opt_int: Some(0),
        opt_text: None,
        opt_point: Some(Point { x: 1.0, y: 2.0 }),
        quality: Quality::Bad,
        color: Color::Red,
        maybe_color: Some(Color::Red),
        painted: Color::Red,
        bytes: vec![0, 255],
        bools: vec![true, false],
        tinies: vec![-1],
        shorts_u: vec![1, 2],
        shorts_i: vec![-2],
        words_u: vec![3],
        words_i: vec![-3],
        longs_u: vec![u64::MAX],
        longs_i: vec![],
        ratios: vec![0.5],
        precises: vec![],
        texts: vec!["a".into(), String::new()],
        points: vec![Point { x: 3.0, y: 4.0 }],
        colors: vec![Color::Blue, Color::Red],
        qualities: vec![Quality::Good],
        point: Point { x: 5.0, y: 6.0 },
        boxed: Box::new(Point { x: 7.0, y: 8.0 }),
        pinned: 9,
        note: "n".into(),
        cache: 0,
    }
}

/// `everything()` as flatc prints it (`--strict-json --defaults-json`):
/// enums by name, absent optionals left out.
fn everything_json() -> Value {
    json!({
        "flag": true, "small": 255, "tiny": -128, "short_u": 65535, "short_i": -32768,
        "word_u": 4294967295u32, "word_i": -2147483648i32, "long_u": u64::MAX, "long_i": i64::MIN,
        "ratio": 1.5, "precise": -0.25, "with_default": 0.0, "text": "héllo",
        "opt_int": 0, "opt_point": {"x": 1.0, "y": 2.0},
        "quality": "Bad", "color": "Red", "maybe_color": "Red", "painted": "Red",
        "bytes": [0, 255], "bools": [true, false], "tinies": [-1], "shorts_u": [1, 2], "shorts_i": [-2],
        "words_u": [3], "words_i": [-3], "longs_u": [u64::MAX], "longs_i": [], "ratios": [0.5],
        "precises": [], "texts": ["a", ""], "points": [{"x": 3.0, "y": 4.0}], "colors": ["Blue", "Red"],
        "qualities": ["Good"], "point": {"x": 5.0, "y": 6.0}, "boxed": {"x": 7.0, "y": 8.0}, "pinned": 9,
        "note": "n"
    })
}

fn flatc() -> &'static str {
    env!("FLATSTREAM_FLATC")
}

/// A fresh directory under the target directory for one test.
fn workdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("interop").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs flatc in `dir`; its output on failure.
fn run_flatc(dir: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new(flatc())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "flatc {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Writes `T`'s schema to `dir/name.fbs`.
fn write_schema<T: HasSchema>(dir: &Path, name: &str) -> String {
    let file = format!("{name}.fbs");
    std::fs::write(dir.join(&file), T::SCHEMA.to_string()).unwrap();
    file
}

/// flatc's JSON for `payload` under the schema `fbs` in `dir`.
fn flatc_json(dir: &Path, fbs: &str, payload: &[u8]) -> Value {
    std::fs::write(dir.join("payload.bin"), payload).unwrap();
    run_flatc(
        dir,
        &[
            "--json",
            "--strict-json",
            "--defaults-json",
            "--raw-binary",
            "-o",
            "json",
            fbs,
            "--",
            "payload.bin",
        ],
    )
    .unwrap();
    serde_json::from_str(&std::fs::read_to_string(dir.join("json/payload.json")).unwrap()).unwrap()
}

/// The binary flatc builds from `json` under the schema `fbs` in `dir`.
fn flatc_binary(dir: &Path, fbs: &str, json: &Value, force_defaults: bool) -> Vec<u8> {
    std::fs::write(dir.join("input.json"), json.to_string()).unwrap();
    let mut args = vec!["--binary", "-o", "bin"];
    if force_defaults {
        args.push("--force-defaults");
    }
    args.extend([fbs, "input.json"]);
    run_flatc(dir, &args).unwrap();
    std::fs::read(dir.join("bin/input.bin")).unwrap()
}

#[test]
#[cfg_attr(
    flatc_missing,
    ignore = "flatc is not installed (apt-get install flatbuffers-compiler)"
)]
fn flatc_accepts_every_exported_schema() {
    let dir = workdir("schemas");
    let fbs = write_schema::<Everything>(&dir, "everything");
    for lang in ["--cpp", "--python"] {
        if let Err(e) = run_flatc(&dir, &[lang, "-o", "gen", &fbs]) {
            panic!("{e}\nschema:\n{}", Everything::SCHEMA);
        }
    }
    // What used to be wrong: a default for an enum without a 0 variant,
    // `= null` for an optional enum, and a declared enum default.
    let schema = Everything::SCHEMA.to_string();
    for line in [
        "quality: Quality = Good",
        "maybe_color: Color = null",
        "painted: Color = Blue",
    ] {
        assert!(schema.contains(line), "{line}:\n{schema}");
    }
    assert!(schema.contains("  color: Color (id: 17);"), "{schema}");
    assert!(
        schema.contains("  note: string (id: 38);") && !schema.contains("cache"),
        "{schema}"
    );
}

#[test]
#[cfg_attr(
    flatc_missing,
    ignore = "flatc is not installed (apt-get install flatbuffers-compiler)"
)]
fn flatc_decodes_our_payloads() {
    let dir = workdir("decode");
    let fbs = write_schema::<Everything>(&dir, "everything");
    let mut encoder = flatstream::Encoder::new();
    let value = everything();
    let payload = value.encode(&mut encoder).unwrap().to_vec();
    assert_eq!(flatc_json(&dir, &fbs, &payload), everything_json());

    // Values equal to a default are left out of our payload and read back
    // by flatc as that default: the declared enum default included.
    let mut defaults = everything();
    defaults.quality = Quality::Good;
    defaults.painted = Color::Blue;
    defaults.with_default = 20.0;
    defaults.opt_int = None;
    defaults.maybe_color = None;
    let payload = defaults.encode(&mut encoder).unwrap().to_vec();
    let mut expected = everything_json();
    expected["quality"] = json!("Good");
    expected["painted"] = json!("Blue");
    expected["with_default"] = json!(20.0);
    // Absent optional scalars: flatc's `--defaults-json` prints them as null.
    expected["opt_int"] = Value::Null;
    expected["maybe_color"] = Value::Null;
    assert_eq!(flatc_json(&dir, &fbs, &payload), expected);
}

#[test]
#[cfg_attr(
    flatc_missing,
    ignore = "flatc is not installed (apt-get install flatbuffers-compiler)"
)]
fn we_decode_flatc_binaries() {
    let dir = workdir("encode");
    let fbs = write_schema::<Everything>(&dir, "everything");
    for force_defaults in [false, true] {
        // Every field given.
        let bin = flatc_binary(&dir, &fbs, &everything_json(), force_defaults);
        assert_eq!(
            Everything::decode(&bin).unwrap(),
            everything(),
            "force_defaults {force_defaults}"
        );

        // Only the required fields: every other one reads as its default
        // (the enum without a 0 variant as its first, the declared enum
        // default as declared), optionals as None; and empty vectors of
        // every width (flatc aligns an empty vector of 8-byte scalars only
        // to 4).
        let minimal = json!({
            "text": "", "bytes": [], "bools": [], "tinies": [], "shorts_u": [], "shorts_i": [],
            "words_u": [], "words_i": [], "longs_u": [], "longs_i": [], "ratios": [], "precises": [],
            "texts": [], "points": [], "colors": [], "qualities": [],
            "point": {}, "boxed": {"x": 1.5}
        });
        let bin = flatc_binary(&dir, &fbs, &minimal, force_defaults);
        let got = Everything::decode(&bin).unwrap_or_else(|e| panic!("force_defaults {force_defaults}: {e}"));
        let expected = Everything {
            flag: false,
            small: 0,
            tiny: 0,
            short_u: 0,
            short_i: 0,
            word_u: 0,
            word_i: 0,
            long_u: 0,
            long_i: 0,
            ratio: 0.0,
            precise: 0.0,
            with_default: 20.0,
            text: String::new(),
            opt_int: None,
            opt_text: None,
            opt_point: None,
            quality: Quality::Good,
            color: Color::Red,
            maybe_color: None,
            painted: Color::Blue,
            bytes: vec![],
            bools: vec![],
            tinies: vec![],
            shorts_u: vec![],
            shorts_i: vec![],
            words_u: vec![],
            words_i: vec![],
            longs_u: vec![],
            longs_i: vec![],
            ratios: vec![],
            precises: vec![],
            texts: vec![],
            points: vec![],
            colors: vec![],
            qualities: vec![],
            point: Point { x: 0.0, y: 0.0 },
            boxed: Box::new(Point { x: 1.5, y: 0.0 }),
            pinned: 0,
            note: String::new(),
            cache: 0,
        };
        assert_eq!(got, expected, "force_defaults {force_defaults}");
        // And the view reads the same, through the reader's verification.
        let view = Everything::view(&bin).unwrap();
        assert_eq!(
            (view.quality(), view.painted(), view.maybe_color()),
            (Quality::Good, Color::Blue, None)
        );
    }
}

/// An empty vector of 8-byte scalars that starts 4 bytes off an 8-byte
/// boundary, as the C++ builder writes it, is accepted by both verifiers;
/// a non-empty one there is still refused.
#[test]
#[cfg_attr(
    flatc_missing,
    ignore = "flatc is not installed (apt-get install flatbuffers-compiler)"
)]
fn empty_vectors_of_8_byte_scalars_need_only_4_byte_alignment() {
    #[derive(StreamSerialize, StreamDeserialize, Debug, PartialEq)]
    struct Longs {
        a: u32,
        longs: Vec<u64>,
    }
    let dir = workdir("alignment");
    let fbs = write_schema::<Longs>(&dir, "longs");
    let bin = flatc_binary(&dir, &fbs, &json!({"a": 3, "longs": []}), false);
    // Where the vector's elements would start.
    let table = u32::from_le_bytes(bin[0..4].try_into().unwrap()) as usize;
    let vtable = table - i32::from_le_bytes(bin[table..table + 4].try_into().unwrap()) as usize;
    let field = u16::from_le_bytes(bin[vtable + 6..vtable + 8].try_into().unwrap()) as usize;
    let vector = table
        + field
        + u32::from_le_bytes(bin[table + field..table + field + 4].try_into().unwrap()) as usize;
    assert_eq!(
        (vector + 4) % 8,
        4,
        "flatc aligned the empty vector to 8 after all: {bin:02x?}"
    );
    assert_eq!(Longs::decode(&bin).unwrap(), Longs { a: 3, longs: vec![] });
    assert!(flatstream::__private::fast_accepts::<Longs>(
        &bin,
        VerifyLimits::DEFAULT
    ));
    assert!(flatstream::__private::flatbuffers_accepts::<Longs>(
        &bin,
        VerifyLimits::DEFAULT
    ));

    // The same place with one element claimed (and room for it) is
    // misaligned data: refused by both.
    let mut misaligned = bin.clone();
    misaligned[vector..vector + 4].copy_from_slice(&1u32.to_le_bytes());
    misaligned.extend_from_slice(&[0; 8]);
    assert!(!flatstream::__private::fast_accepts::<Longs>(
        &misaligned,
        VerifyLimits::DEFAULT
    ));
    assert!(!flatstream::__private::flatbuffers_accepts::<Longs>(
        &misaligned,
        VerifyLimits::DEFAULT
    ));
    assert!(matches!(
        Longs::decode(&misaligned),
        Err(flatstream::Error::InvalidFlatBuffer { .. })
    ));
}

mod v1 {
    use flatstream::prelude::*;
    #[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
    pub struct Reading {
        pub id: u32,
        pub name: String,
    }
}

mod v2 {
    use flatstream::prelude::*;
    #[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
    pub struct Reading {
        pub id: u32,
        pub name: String,
        #[flatstream(default = 5)]
        pub scale: u64,
        pub note: Option<String>,
    }
}

#[test]
#[cfg_attr(
    flatc_missing,
    ignore = "flatc is not installed (apt-get install flatbuffers-compiler)"
)]
fn schema_evolution_both_ways() {
    let dir = workdir("evolution");
    let old = write_schema::<v1::Reading>(&dir, "v1");
    let new = write_schema::<v2::Reading>(&dir, "v2");
    let mut encoder = flatstream::Encoder::new();

    // Newer writer, older reader (flatc with the old schema, and us).
    let newer = v2::Reading {
        id: 1,
        name: "n".into(),
        scale: 9,
        note: Some("x".into()),
    };
    let payload = newer.encode(&mut encoder).unwrap().to_vec();
    assert_eq!(flatc_json(&dir, &old, &payload), json!({"id": 1, "name": "n"}));
    let bin = flatc_binary(
        &dir,
        &new,
        &json!({"id": 1, "name": "n", "scale": 9, "note": "x"}),
        false,
    );
    assert_eq!(
        v1::Reading::decode(&bin).unwrap(),
        v1::Reading {
            id: 1,
            name: "n".into()
        }
    );

    // Older writer, newer reader: the added fields at their defaults.
    let older = v1::Reading {
        id: 2,
        name: "o".into(),
    };
    let payload = older.encode(&mut encoder).unwrap().to_vec();
    assert_eq!(
        flatc_json(&dir, &new, &payload),
        json!({"id": 2, "name": "o", "scale": 5})
    );
    let bin = flatc_binary(&dir, &old, &json!({"id": 2, "name": "o"}), false);
    let expected = v2::Reading {
        id: 2,
        name: "o".into(),
        scale: 5,
        note: None,
    };
    assert_eq!(v2::Reading::decode(&bin).unwrap(), expected);
}

/// The telemetry message of docs/derive.md's Interoperability section.
#[derive(StreamSerialize, StreamDeserialize, Debug, Clone, PartialEq)]
#[frame(len = u32, checksum = crc32)]
pub struct Telemetry {
    pub timestamp: u64,
    pub sensor_id: u32,
    pub value: f64,
    pub unit: String,
}

/// The Python frame reader printed in docs/derive.md, run as it is on a
/// stream written here, through flatc's generated Python classes.
#[test]
#[cfg_attr(
    flatc_missing,
    ignore = "flatc is not installed (apt-get install flatbuffers-compiler)"
)]
#[cfg_attr(
    all(python_flatbuffers_missing, not(flatc_missing)),
    ignore = "no Python with the flatbuffers runtime (apt-get install python3-flatbuffers)"
)]
fn python_reads_our_stream_with_the_documented_reader() {
    let dir = workdir("python");
    let fbs = write_schema::<Telemetry>(&dir, "telemetry");
    run_flatc(&dir, &["--python", &fbs]).unwrap();

    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/derive.md")).unwrap();
    let section = &doc[doc
        .find("## Interoperability")
        .expect("docs/derive.md has the section")..];
    let start = section.find("```python\n").expect("a Python example") + "```python\n".len();
    let script = &section[start..start + section[start..].find("```").unwrap()];
    std::fs::write(dir.join("read_frames.py"), script).unwrap();

    let messages: Vec<Telemetry> = (0..50u64)
        .map(|i| Telemetry {
            timestamp: 1_700_000_000_000 + i,
            sensor_id: (i % 7) as u32,
            value: i as f64 * 0.5 - 3.0,
            unit: ["C", "K", "°F"][i as usize % 3].into(),
        })
        .collect();
    let mut w = StreamWriter::new(Vec::new(), Telemetry::framer());
    for m in &messages {
        w.write(m).unwrap();
    }
    std::fs::write(dir.join("telemetry.bin"), w.into_inner()).unwrap();

    let out = Command::new(env!("FLATSTREAM_PYTHON"))
        .args(["read_frames.py", "telemetry.bin"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let expected: String = messages
        .iter()
        .map(|m| format!("{} {} {:?} {}\n", m.timestamp, m.sensor_id, m.value, m.unit))
        .collect();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);

    // A flipped payload bit is caught by the documented reader's check.
    let mut bytes = std::fs::read(dir.join("telemetry.bin")).unwrap();
    bytes[20] ^= 1;
    std::fs::write(dir.join("damaged.bin"), bytes).unwrap();
    let out = Command::new(env!("FLATSTREAM_PYTHON"))
        .args(["read_frames.py", "damaged.bin"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("checksum mismatch at byte 0"));
}
