//! The real `flatstream` binary on the flatstream-rs 0.2 corpus (as it is),
//! on damaged copies of it (bit flips, truncation, zeroed pages, a flipped
//! length) and on files the library writes: exit codes, offsets, and the
//! bytes recovered and converted.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use flatstream::prelude::*;
use flatstream::{DynamicLayout, RawPayload};

const BIN: &str = env!("CARGO_BIN_EXE_flatstream");

fn corpus(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/corpus/flatstream-rs-0.2")
        .join(file)
}

/// The five payloads of every corpus file.
fn corpus_payloads() -> Vec<Vec<u8>> {
    std::fs::read_to_string(corpus("payloads.txt"))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .filter(|hex| hex.len() % 2 == 0 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|hex| {
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect()
        })
        .collect()
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited")
}

/// A scratch directory of this test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const PRESETS: [(&str, &str); 4] = [
    ("default.bin", "flatstream-rs-0.2"),
    ("checksum-crc32.bin", "flatstream-rs-0.2-crc32"),
    ("checksum-crc16.bin", "flatstream-rs-0.2-crc16"),
    ("checksum-xxhash64.bin", "flatstream-rs-0.2-xxhash64"),
];

#[test]
fn every_corpus_file_verifies_under_its_preset_and_cats_its_payloads() {
    let payloads = corpus_payloads();
    for (file, preset) in PRESETS {
        let path = corpus(file);
        let path = path.to_str().unwrap();
        let out = run(&["verify", path, "--framing", preset]);
        assert_eq!(code(&out), 0, "{file}: {}", stdout(&out));
        assert!(stdout(&out).starts_with("ok: 5 frames"), "{}", stdout(&out));
        let hex: Vec<String> = payloads
            .iter()
            .map(|p| p.iter().map(|b| format!("{b:02x}")).collect())
            .collect();
        let out = run(&["cat", path, "-f", preset]);
        assert_eq!(stdout(&out).lines().collect::<Vec<_>>(), hex, "{file}");
        let out = run(&["cat", path, "-f", preset, "--raw"]);
        assert_eq!(out.stdout, payloads.concat(), "{file}");
    }
    // A checksummed file under the wrong framing is damaged.
    let out = run(&[
        "verify",
        corpus("checksum-crc32.bin").to_str().unwrap(),
        "-f",
        "flatstream-rs-0.2-crc16",
    ]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let file = corpus("default.bin");
    let file = file.to_str().unwrap();
    for args in [
        vec!["verify", file, "--framing", "len=u24"],
        vec!["verify", file, "--framing", "flatstream-rs-9"],
        vec!["verify", "/no/such/file", "--framing", "flatstream-rs-0.2"],
        vec![
            "verify",
            file,
            "--framing",
            "len=u32",
            "--recovery",
            "skip-corrupt",
        ],
    ] {
        let out = run(&args);
        assert_eq!(code(&out), 2, "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("flatstream: "), "{err}");
    }
}

#[test]
fn damage_is_reported_at_its_offset() {
    let dir = scratch("damage");
    let bytes = std::fs::read(corpus("checksum-crc32.bin")).unwrap();
    // Frame 3 starts at 8 + 16 + 8 + 12 + 8 + 16 = 68.
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "flip",
            {
                let mut b = bytes.clone();
                b[68 + 8 + 100] ^= 1;
                b
            },
            "damaged at offset 68",
        ),
        ("cut", bytes[..bytes.len() - 3].to_vec(), "damaged at offset 1088"),
        (
            "length",
            {
                let mut b = bytes.clone();
                b[68 + 3] ^= 0x40;
                b
            },
            "damaged at offset 68",
        ),
        (
            "zeroed",
            {
                let mut b = bytes.clone();
                b[68..68 + 64].fill(0);
                b
            },
            "damaged at offset 68",
        ),
    ];
    for (name, damaged, says) in cases {
        let path = dir.join(name);
        std::fs::write(&path, &damaged).unwrap();
        let out = run(&["verify", path.to_str().unwrap(), "-f", "flatstream-rs-0.2-crc32"]);
        assert_eq!(code(&out), 1, "{name}");
        assert!(stdout(&out).contains(says), "{name}: {}", stdout(&out));
    }
    // Torn tail: what TolerateTornTail recovers.
    let path = dir.join("cut");
    let out = run(&[
        "verify",
        path.to_str().unwrap(),
        "-f",
        "flatstream-rs-0.2-crc32",
        "--recovery",
        "torn-tail",
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("torn tail: an incomplete last frame of 29 bytes at offset 1088"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("4 frames recovered"), "{}", stdout(&out));
}

/// A library-written stream that can resynchronise, with damage in the
/// middle: inspect lists every frame and the damaged region, recover saves
/// every other frame.
#[test]
fn inspect_and_recover_a_damaged_resyncable_stream() {
    let dir = scratch("recover");
    let spec = "magic=FSv1,len=u32,checksum=crc32c,covers=frame";
    let layout: DynamicLayout = spec.parse().unwrap();
    let payloads: Vec<Vec<u8>> = (0..50u8).map(|i| vec![i; 4 + usize::from(i)]).collect();
    let mut w = StreamWriter::new(Vec::new(), layout);
    let mut starts = Vec::new();
    for p in &payloads {
        starts.push(w.position());
        w.write(&RawPayload(p)).unwrap();
    }
    let mut bytes = w.into_inner();
    bytes[starts[20] as usize + 2] ^= 0xFF; // a magic byte of frame 20
    let input = dir.join("in.fs");
    std::fs::write(&input, &bytes).unwrap();
    let input = input.to_str().unwrap();

    let out = run(&["inspect", input, "-f", spec, "--json"]);
    assert_eq!(code(&out), 1);
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let frames: Vec<u64> = lines
        .iter()
        .filter_map(|v| v["offset"].as_u64().filter(|_| v.get("frame").is_some()))
        .collect();
    let expected: Vec<u64> = starts
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 20)
        .map(|(_, s)| *s)
        .collect();
    assert_eq!(frames, expected);
    let damaged: Vec<&serde_json::Value> = lines.iter().filter(|v| v.get("damaged").is_some()).collect();
    assert_eq!(damaged.len(), 1);
    assert_eq!(damaged[0]["offset"], starts[20]);
    assert_eq!(damaged[0]["len"], starts[21] - starts[20]);
    let summary = &lines.last().unwrap()["summary"];
    assert_eq!(
        (summary["frames"].as_u64(), summary["damaged_regions"].as_u64()),
        (Some(49), Some(1))
    );

    let output = dir.join("out.fs");
    let out = run(&["recover", input, "-f", spec, "-o", output.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains(&format!(
        "skipped {} bytes at offset {}",
        starts[21] - starts[20],
        starts[20]
    )));
    let saved: Vec<Vec<u8>> = SliceReader::new(&std::fs::read(&output).unwrap(), layout)
        .map(|p| p.unwrap().to_vec())
        .collect();
    let expected: Vec<Vec<u8>> = payloads
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 20)
        .map(|(_, p)| p.clone())
        .collect();
    assert_eq!(saved, expected);
    // Never over an existing output without --force, never over the input.
    let again = run(&["recover", input, "-f", spec, "-o", output.to_str().unwrap()]);
    assert_eq!(code(&again), 2);
    let onto_input = run(&["recover", input, "-f", spec, "-o", input, "--force"]);
    assert_eq!(code(&onto_input), 2);
    assert_eq!(std::fs::read(input).unwrap(), bytes, "the input is untouched");
    let forced = run(&[
        "recover",
        input,
        "-f",
        spec,
        "-o",
        output.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(code(&forced), 0);
}

#[test]
fn convert_reframes_and_refuses_what_the_target_cannot_hold() {
    let dir = scratch("convert");
    let input = corpus("checksum-crc16.bin");
    let output = dir.join("out.fs");
    let to = "magic=FSv1,len=u32,checksum=crc32c,covers=frame";
    let out = run(&[
        "convert",
        input.to_str().unwrap(),
        "-f",
        "flatstream-rs-0.2-crc16",
        "-o",
        output.to_str().unwrap(),
        "--to",
        to,
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let layout: DynamicLayout = to.parse().unwrap();
    let converted: Vec<Vec<u8>> = SliceReader::new(&std::fs::read(&output).unwrap(), layout)
        .map(|p| p.unwrap().to_vec())
        .collect();
    assert_eq!(converted, corpus_payloads());
    let out = run(&["verify", output.to_str().unwrap(), "-f", to]);
    assert_eq!(code(&out), 0);

    // A 5,000-byte frame cannot go into a CRC-16 framing (4 KiB at most).
    let big: DynamicLayout = "len=u32,checksum=crc32c".parse().unwrap();
    let mut w = StreamWriter::new(Vec::new(), big);
    w.write(&RawPayload(&[7u8; 100])).unwrap();
    w.write(&RawPayload(&[7u8; 5000])).unwrap();
    let src = dir.join("big.fs");
    std::fs::write(&src, w.into_inner()).unwrap();
    let refused = dir.join("refused.fs");
    let out = run(&[
        "convert",
        src.to_str().unwrap(),
        "-f",
        "len=u32,checksum=crc32c",
        "-o",
        refused.to_str().unwrap(),
        "--to",
        "len=u32,checksum=crc16",
    ]);
    assert_eq!(code(&out), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the frame at offset 108 holds 5000 bytes"), "{err}");
    assert!(!refused.exists(), "nothing is left behind");
}

#[test]
fn stats_and_detect() {
    let path = corpus("checksum-xxhash64.bin");
    let path = path.to_str().unwrap();
    let out = run(&["stats", path, "-f", "flatstream-rs-0.2-xxhash64", "--json"]);
    assert_eq!(code(&out), 0);
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["frames"], 5);
    assert_eq!(v["payload_len"]["min"], 12);
    assert_eq!(v["payload_len"]["max"], 1012);
    assert_eq!(v["header_overhead_bytes"], 5 * 12);
    let out = run(&["detect", path]);
    assert_eq!(code(&out), 0);
    assert!(
        stdout(&out).starts_with("flatstream-rs-0.2-xxhash64\t5 frames"),
        "{}",
        stdout(&out)
    );
    let out = run(&["detect", corpus("payloads.txt").to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
}

/// `cat --schema`: payloads of a derived message as JSON, through the
/// binary schema flatc compiles from the message's exported `.fbs`.
#[test]
fn cat_with_a_binary_schema() {
    if Command::new("flatc").arg("--version").output().is_err() {
        assert!(
            std::env::var("FLATSTREAM_REQUIRE_FLATC").as_deref() != Ok("1"),
            "flatc is required (FLATSTREAM_REQUIRE_FLATC=1)"
        );
        eprintln!("flatc is not installed: skipping cat --schema");
        return;
    }
    #[derive(StreamSerialize, StreamDeserialize)]
    #[frame(len = u32, checksum = crc32c)]
    struct Reading {
        seq: u64,
        unit: String,
        values: Vec<f32>,
        ok: bool,
    }
    let dir = scratch("schema");
    std::fs::write(dir.join("reading.fbs"), Reading::SCHEMA.to_string()).unwrap();
    let status = Command::new("flatc")
        .args(["--binary", "--schema", "-o"])
        .arg(&dir)
        .arg(dir.join("reading.fbs"))
        .status()
        .unwrap();
    assert!(status.success());
    let mut w = StreamWriter::new(Vec::new(), Reading::framer());
    for seq in 0..3 {
        w.write(&Reading {
            seq,
            unit: "C".into(),
            values: vec![1.5, seq as f32],
            ok: seq % 2 == 0,
        })
        .unwrap();
    }
    let path = dir.join("readings.fs");
    std::fs::write(&path, w.into_inner()).unwrap();
    let out = run(&[
        "cat",
        path.to_str().unwrap(),
        "-f",
        "len=u32,checksum=crc32c",
        "--schema",
        dir.join("reading.bfbs").to_str().unwrap(),
        "--root-type",
        "Reading",
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[1],
        serde_json::json!({"seq": 1, "unit": "C", "values": [1.5, 1.0], "ok": false})
    );
    let wrong = run(&[
        "cat",
        path.to_str().unwrap(),
        "-f",
        "len=u32,checksum=crc32c",
        "--schema",
        dir.join("reading.bfbs").to_str().unwrap(),
        "--root-type",
        "Other",
    ]);
    assert_eq!(code(&wrong), 2);
}

/// docs/cli.md shows the `--help` of every command as the binary prints it.
#[test]
fn the_docs_show_every_commands_help() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/cli.md")).unwrap();
    for command in [
        "", "verify", "inspect", "stats", "cat", "recover", "convert", "detect",
    ] {
        let mut args: Vec<&str> = command.split_whitespace().collect();
        args.push("--help");
        let help = stdout(&run(&args));
        assert!(
            doc.contains(&help),
            "docs/cli.md lacks the current `flatstream {command} --help`:\n{help}"
        );
    }
}
