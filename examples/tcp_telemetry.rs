//! A producer and a consumer over loopback TCP: 1,000,000 telemetry
//! messages, each frame protected by a CRC-32C, read back verified and
//! zero-copy; prints messages per second.
//!
//! cargo run --release --example tcp_telemetry

use std::time::Instant;

use flatstream::prelude::*;
use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::Framed;

#[derive(StreamSerialize, StreamDeserialize, Debug, Clone)]
#[frame(len = u32, checksum = crc32c)]
struct Telemetry {
    timestamp: u64,
    sensor_id: u32,
    value: f64,
    unit: String,
}

const MESSAGES: u64 = 1_000_000;
const BATCH: u64 = 1_000;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let started = Instant::now();

    let producer = tokio::spawn(async move {
        let socket = TcpStream::connect(address).await?;
        socket.set_nodelay(true)?;
        let mut writer = AsyncStreamWriter::new(socket, Telemetry::framer());
        let mut batch = Vec::with_capacity(BATCH as usize);
        for start in (0..MESSAGES).step_by(BATCH as usize) {
            batch.clear();
            batch.extend((start..start + BATCH).map(|i| Telemetry {
                timestamp: i,
                sensor_id: (i % 64) as u32,
                value: i as f64 * 0.25,
                unit: "C".into(),
            }));
            writer.write_batch(&batch).await?;
        }
        writer.flush().await?;
        Ok::<_, flatstream::Error>(writer.position())
    });

    let (socket, _) = listener.accept().await?;
    let mut reader = AsyncStreamReader::new(socket, Telemetry::deframer());
    let (mut count, mut sum) = (0u64, 0.0f64);
    while let Some(t) = reader.read_view::<Telemetry>().await? {
        if t.timestamp() != count {
            return Err(format!("message {count} arrived as {}", t.timestamp()).into());
        }
        sum += t.value();
        count += 1;
    }
    let bytes = producer.await??;
    let elapsed = started.elapsed();

    assert_eq!(count, MESSAGES);
    println!("{count} messages, {bytes} bytes over loopback TCP in {elapsed:.2?}");
    println!(
        "{:.2} M msg/s, {:.0} MiB/s (checksums and FlatBuffers verified on receipt)",
        count as f64 / elapsed.as_secs_f64() / 1e6,
        bytes as f64 / elapsed.as_secs_f64() / (1 << 20) as f64
    );
    println!("sum of values: {sum}");

    // The same stream through the tokio_util codec: Framed<TcpStream, _>
    // with SinkExt/StreamExt, one frame per item.
    let started = Instant::now();
    let producer = tokio::spawn(produce_via_codec(address));
    let (socket, _) = listener.accept().await?;
    let mut frames = Framed::new(socket, Telemetry::codec());
    let mut received = 0u64;
    while let Some(payload) = frames.next().await {
        let payload = payload?;
        let t = Telemetry::view(&payload)?;
        assert_eq!(t.timestamp(), received);
        received += 1;
    }
    producer.await??;
    report("Framed<TcpStream, FrameCodec>", received, started.elapsed());

    // And decoded a batch at a time: every whole frame that arrived, in one
    // item, its payloads lent from one buffer.
    let started = Instant::now();
    let producer = tokio::spawn(produce_via_codec(address));
    let (socket, _) = listener.accept().await?;
    let mut batches = Framed::new(socket, Telemetry::codec().batched());
    let mut received = 0u64;
    while let Some(batch) = batches.next().await {
        for t in batch?.views::<Telemetry>() {
            assert_eq!(t?.timestamp(), received);
            received += 1;
        }
    }
    producer.await??;
    report("Framed<TcpStream, BatchCodec>", received, started.elapsed());
    Ok(())
}

const VIA_CODEC: u64 = 100_000;

/// Sends `VIA_CODEC` messages through a `Framed` sink.
async fn produce_via_codec(address: std::net::SocketAddr) -> Result<(), flatstream::Error> {
    let socket = TcpStream::connect(address).await?;
    let mut sink = Framed::new(socket, Telemetry::codec());
    for i in 0..VIA_CODEC {
        let t = Telemetry {
            timestamp: i,
            sensor_id: 1,
            value: 1.0,
            unit: "C".into(),
        };
        sink.feed(t).await?;
    }
    // The codec encodes any StreamSerialize type: name the one to flush.
    SinkExt::<Telemetry>::flush(&mut sink).await?;
    Ok(())
}

fn report(via: &str, received: u64, elapsed: std::time::Duration) {
    assert_eq!(received, VIA_CODEC);
    println!(
        "\nvia {via}: {received} messages in {elapsed:.2?}, {:.2} M msg/s",
        received as f64 / elapsed.as_secs_f64() / 1e6
    );
}
