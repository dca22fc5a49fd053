// Writes an Mlp as an ONNX ModelProto: Gemm(transB=1) + Relu per hidden layer, a final Gemm, input "features"
// [batch x F] with a dynamic batch dimension, output "q" [batch x 1]. Field numbers follow onnx/onnx.proto (IR v8).
import type { Mlp } from './mlp.js';
import { ProtoWriter } from './protobuf-writer.js';

const IR_VERSION = 8;
const OPSET = 13;
const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_INT = 2; // AttributeProto.AttributeType.INT
export const ONNX_INPUT = 'features';
export const ONNX_OUTPUT = 'q';

function tensor(name: string, dims: number[], data: Float32Array): ProtoWriter {
  const t = new ProtoWriter();
  for (const d of dims) t.int(1, d); // dims
  t.int(2, FLOAT); // data_type
  t.string(8, name); // name
  // raw_data is little-endian; copy so an unaligned view is never handed over
  const le = new Float32Array(data);
  t.bytes(9, new Uint8Array(le.buffer, le.byteOffset, le.byteLength));
  return t;
}

function valueInfo(name: string, dims: (number | string)[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d); // dim_param: a symbolic (dynamic) dimension
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, name).message(2, type);
}

function node(op: string, inputs: string[], outputs: string[], name: string, intAttrs: Record<string, number> = {}) {
  const n = new ProtoWriter();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, name);
  n.string(4, op);
  for (const [k, v] of Object.entries(intAttrs)) {
    n.message(5, new ProtoWriter().string(1, k).int(3, v).int(20, ATTR_INT));
  }
  return n;
}

export interface ExportMeta {
  /** stored as metadata_props; the model card holds the same values */
  [key: string]: string;
}

/** The ONNX bytes of `net`; `meta` goes into metadata_props (feature schema hash, version). */
export function exportOnnx(net: Mlp, meta: ExportMeta = {}): Uint8Array {
  const graph = new ProtoWriter();
  let prev = ONNX_INPUT;
  net.layers.forEach((_layer, l) => {
    const last = l + 1 === net.layers.length;
    const gemmOut = last ? ONNX_OUTPUT : `h${l}`;
    graph.message(1, node('Gemm', [prev, `W${l}`, `B${l}`], [gemmOut], `gemm${l}`, { transB: 1 }));
    if (!last) {
      graph.message(1, node('Relu', [gemmOut], [`r${l}`], `relu${l}`));
      prev = `r${l}`;
    }
  });
  graph.string(2, 'scheduler_q');
  net.layers.forEach((layer, l) => {
    graph.message(5, tensor(`W${l}`, [layer.outputs, layer.inputs], layer.w));
    graph.message(5, tensor(`B${l}`, [layer.outputs], layer.b));
  });
  graph.message(11, valueInfo(ONNX_INPUT, ['batch', net.inputSize]));
  graph.message(12, valueInfo(ONNX_OUTPUT, ['batch', net.sizes.at(-1)!]));

  const model = new ProtoWriter();
  model.int(1, IR_VERSION);
  model.string(2, 'agentos-edge models/rl');
  model.string(3, '1');
  model.message(7, graph);
  model.message(8, new ProtoWriter().string(1, '').int(2, OPSET));
  for (const [k, v] of Object.entries(meta)) model.message(14, new ProtoWriter().string(1, k).string(2, v));
  return model.finish();
}
