// A small multilayer perceptron in pure TypeScript on Float32Array: forward, backward and Adam. Hidden layers use ReLU,
// the last layer is linear. Weights are row-major [out x in], the layout of ONNX Gemm with transB=1, so the export
// copies them as they are.
import type { Rng } from './rng.js';

export interface Layer {
  inputs: number;
  outputs: number;
  /** [outputs x inputs] row-major */
  w: Float32Array;
  b: Float32Array;
}

export interface MlpJson {
  sizes: number[];
  layers: { w: number[]; b: number[] }[];
}

export interface AdamOptions {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** global gradient-norm clip; 0 disables */
  clipNorm: number;
}

export const DEFAULT_ADAM: AdamOptions = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: 10 };

export class Mlp {
  readonly sizes: readonly number[];
  readonly layers: Layer[];
  /** activations of the last forward (input of each layer, then the output) for backward */
  private acts: Float32Array[] = [];
  private rows = 0;

  constructor(sizes: readonly number[], rng?: Rng) {
    if (sizes.length < 2) throw new TypeError('Mlp: sizes needs at least input and output');
    this.sizes = [...sizes];
    this.layers = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const inputs = sizes[l]!;
      const outputs = sizes[l + 1]!;
      const w = new Float32Array(inputs * outputs);
      // He initialization for ReLU layers; deterministic from the caller's generator
      const scale = Math.sqrt(2 / inputs);
      if (rng) for (let i = 0; i < w.length; i++) w[i] = rng.normal() * scale;
      this.layers.push({ inputs, outputs, w, b: new Float32Array(outputs) });
    }
  }

  get inputSize(): number {
    return this.sizes[0]!;
  }

  /** Output for `rows` inputs (row-major [rows x inputSize]); keeps activations for one backward. */
  forward(x: Float32Array, rows: number): Float32Array {
    if (x.length < rows * this.inputSize)
      throw new RangeError(`Mlp.forward: input has ${x.length} < ${rows}x${this.inputSize}`);
    this.acts = [x];
    this.rows = rows;
    let h = x;
    for (let l = 0; l < this.layers.length; l++) {
      const layer = this.layers[l]!;
      const relu = l + 1 < this.layers.length;
      const out = new Float32Array(rows * layer.outputs);
      const { inputs, outputs, w, b } = layer;
      for (let r = 0; r < rows; r++) {
        const xo = r * inputs;
        const yo = r * outputs;
        for (let o = 0; o < outputs; o++) {
          let s = b[o]!;
          const wo = o * inputs;
          for (let i = 0; i < inputs; i++) s += w[wo + i]! * h[xo + i]!;
          out[yo + o] = relu && s < 0 ? 0 : s;
        }
      }
      this.acts.push(out);
      h = out;
    }
    return h;
  }

  /** Gradients of the last forward given dLoss/dOutput ([rows x outputs]); returns one gradient per layer. */
  backward(dOut: Float32Array): Layer[] {
    const grads = this.zeroGrads();
    let delta = dOut;
    const rows = this.rows;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const { inputs, outputs, w } = this.layers[l]!;
      const g = grads[l]!;
      const x = this.acts[l]!;
      const dx = l > 0 ? new Float32Array(rows * inputs) : undefined;
      for (let r = 0; r < rows; r++) {
        for (let o = 0; o < outputs; o++) {
          const d = delta[r * outputs + o]!;
          if (d === 0) continue;
          g.b[o]! += d;
          const wo = o * inputs;
          const xo = r * inputs;
          for (let i = 0; i < inputs; i++) {
            g.w[wo + i]! += d * x[xo + i]!;
            if (dx) dx[xo + i]! += d * w[wo + i]!;
          }
        }
      }
      if (dx) {
        // ReLU derivative: the input of layer l is the post-ReLU output of layer l-1
        for (let k = 0; k < dx.length; k++) if (x[k]! <= 0) dx[k] = 0;
        delta = dx;
      }
    }
    return grads;
  }

  /** A zero gradient of this network's shape, e.g. to sum backward()'s results into. */
  zeroGrads(): Layer[] {
    return this.layers.map((l) => ({
      inputs: l.inputs,
      outputs: l.outputs,
      w: new Float32Array(l.w.length),
      b: new Float32Array(l.b.length),
    }));
  }

  copyFrom(other: Mlp): void {
    for (let l = 0; l < this.layers.length; l++) {
      this.layers[l]!.w.set(other.layers[l]!.w);
      this.layers[l]!.b.set(other.layers[l]!.b);
    }
  }

  clone(): Mlp {
    const m = new Mlp(this.sizes);
    m.copyFrom(this);
    return m;
  }

  toJSON(): MlpJson {
    return { sizes: [...this.sizes], layers: this.layers.map((l) => ({ w: Array.from(l.w), b: Array.from(l.b) })) };
  }

  static fromJSON(j: MlpJson): Mlp {
    const m = new Mlp(j.sizes);
    j.layers.forEach((l, i) => {
      const layer = m.layers[i];
      if (!layer || layer.w.length !== l.w.length || layer.b.length !== l.b.length) {
        throw new TypeError(`Mlp.fromJSON: layers[${i}] shape does not match sizes ${j.sizes.join('x')}`);
      }
      layer.w.set(l.w);
      layer.b.set(l.b);
    });
    return m;
  }
}

/** Adam with global-norm clipping; its moments are part of a checkpoint so training resumes exactly. */
export class Adam {
  readonly opts: AdamOptions;
  m: Float32Array[];
  v: Float32Array[];
  t = 0;

  constructor(net: Mlp, opts: AdamOptions = DEFAULT_ADAM) {
    this.opts = opts;
    this.m = net.layers.flatMap((l) => [new Float32Array(l.w.length), new Float32Array(l.b.length)]);
    this.v = net.layers.flatMap((l) => [new Float32Array(l.w.length), new Float32Array(l.b.length)]);
  }

  step(net: Mlp, grads: Layer[]): number {
    const gs = grads.flatMap((g) => [g.w, g.b]);
    const ps = net.layers.flatMap((l) => [l.w, l.b]);
    let norm2 = 0;
    for (const g of gs) for (let i = 0; i < g.length; i++) norm2 += g[i]! * g[i]!;
    const norm = Math.sqrt(norm2);
    const scale = this.opts.clipNorm > 0 && norm > this.opts.clipNorm ? this.opts.clipNorm / norm : 1;
    this.t++;
    const { learningRate: lr, beta1, beta2, epsilon } = this.opts;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    for (let k = 0; k < ps.length; k++) {
      const p = ps[k]!;
      const g = gs[k]!;
      const m = this.m[k]!;
      const v = this.v[k]!;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]! * scale;
        m[i] = beta1 * m[i]! + (1 - beta1) * gi;
        v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
        p[i]! -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + epsilon);
      }
    }
    return norm;
  }

  toJSON(): { t: number; m: number[][]; v: number[][] } {
    return { t: this.t, m: this.m.map((a) => Array.from(a)), v: this.v.map((a) => Array.from(a)) };
  }

  load(j: { t: number; m: number[][]; v: number[][] }): void {
    this.t = j.t;
    j.m.forEach((a, k) => {
      this.m[k]?.set(a);
    });
    j.v.forEach((a, k) => {
      this.v[k]?.set(a);
    });
  }
}
