/**
 * How long reading takes, as `stowage bench` extrapolates it to a full
 * backup: `seconds = a·streams + b·bytes`. A table costs round trips and
 * bookkeeping whatever its size, so scaling by bytes alone is wrong when
 * thousands of small tables dominate (and by table count alone when one big
 * table does). Both costs are fitted, by least squares through the origin, on
 * the running totals the read reached each time a stream ended (wall time
 * since the first data byte, streams ended, bytes read), which is the
 * throughput of all the parallel connections together.
 */
export interface TimeCosts {
  /** Wall seconds per stream (table, table part, collection). */
  perStream: number;
  /** Wall seconds per byte. */
  perByte: number;
}

/** Bytes are fitted in MiB: the two columns then have comparable magnitudes. */
const MIB = 1024 * 1024;

export class ReadTimeModel {
  private snn = 0;
  private snb = 0;
  private sbb = 0;
  private stn = 0;
  private stb = 0;
  private points = 0;

  /** The read reached `streams` ended streams and `bytes` bytes at `seconds` after its first data byte. */
  add(seconds: number, streams: number, bytes: number): void {
    const b = bytes / MIB;
    this.snn += streams * streams;
    this.snb += streams * b;
    this.sbb += b * b;
    this.stn += seconds * streams;
    this.stb += seconds * b;
    this.points++;
  }

  /** The fitted costs, none negative; undefined before any stream ended. */
  fit(): TimeCosts | undefined {
    if (this.points === 0) return undefined;
    const det = this.snn * this.sbb - this.snb * this.snb;
    // Well-conditioned (the streams' sizes varied): both costs at once.
    if (det > 1e-9 * this.snn * this.sbb) {
      const a = (this.stn * this.sbb - this.stb * this.snb) / det;
      const b = (this.snn * this.stb - this.snb * this.stn) / det;
      if (a >= 0 && b >= 0) return { perStream: a, perByte: b / MIB };
    }
    // Streams all alike (or one cost came out negative): the better of the two one-cost fits.
    const onlyStreams = this.snn > 0 ? Math.max(0, this.stn / this.snn) : 0;
    const onlyBytes = this.sbb > 0 ? Math.max(0, this.stb / this.sbb) : 0;
    // Residual sums of squares, less the common Σt² term: −(Σtx)²/Σx² for each.
    const fitStreams = this.snn > 0 ? (this.stn * this.stn) / this.snn : 0;
    const fitBytes = this.sbb > 0 ? (this.stb * this.stb) / this.sbb : 0;
    return fitStreams >= fitBytes
      ? { perStream: onlyStreams, perByte: 0 }
      : { perStream: 0, perByte: onlyBytes / MIB };
  }
}
