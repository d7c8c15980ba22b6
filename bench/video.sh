#!/usr/bin/env bash
# Decoding speed per core: DecodeVideo's JCodec and FFmpeg (JavaCV) backends against the ffmpeg
# command line (`ffmpeg -threads 1 -i X -f null -`), on the same generated H.264 files
# (640x360 and 1280x720, 30 fps, a key frame every 2 s like Kinesis Video fragments), in one run.
# Then PutMedia ingest: a 1280x720 20 Mbit/s file put over HTTP into an in-process server's video service
# against a plain copy of the same file on the same disk.
# Usage: bench/video.sh [seconds of video, default 10] [rounds, default 3]
# Prints tables, then key=value lines (video.jcodec.fps=, video.ffmpeg.fps=, video.cli.fps=,
# video.ratio.cli= for 1280x720, the same keys suffixed .360p / .720p, and video.putmedia.mbps=,
# video.copy.mbps=, video.ratio.copy=).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-10}"
rounds="${2:-3}"
module=transforms
command -v ffmpeg >/dev/null || { echo "error: ffmpeg is needed (Debian package ffmpeg)" >&2; exit 1; }

mvn -B -q -DskipTests -pl "$module" -am package dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test

scratch="$module/target/bench-video"
mkdir -p "$scratch"
for size in 640x360 1280x720; do
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=$size:rate=30" -t "$seconds" \
    -c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p -g 60 -keyint_min 60 \
    -f matroska "$scratch/$size.mkv"
done
# The ingest file: 1280x720 at 20 Mbit/s, so that PutMedia moves mostly bytes, not requests.
ffmpeg -v error -y -f lavfi -i "testsrc2=size=1280x720:rate=30" -t "$seconds" \
  -c:v libx264 -preset ultrafast -b:v 20M -pix_fmt yuv420p -g 60 -keyint_min 60 \
  -f matroska "$scratch/ingest.mkv"

java -Xms2g -Xmx2g ${JAVA_OPTS:-} \
  -cp "$module/target/test-classes:$module/target/classes:$(cat "$module/target/bench.classpath")" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  dev.freshet.transforms.video.bench.VideoBenchmark "$rounds" "$scratch" "$scratch/ingest.mkv" \
  "360p=$scratch/640x360.mkv" "720p=$scratch/1280x720.mkv"
