import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

type AttributeValue = number | readonly number[] | { float: number };

/** Element types used by this port (values of onnx.TensorProto.DataType). */
export const ElementType = {
  float: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
  int8: onnx.TensorProto.DataType.INT8,
  uint8: onnx.TensorProto.DataType.UINT8,
} as const;

/** A graph input or output: a name, an element type and dims (strings are symbolic). */
export interface ValueSpec {
  name: string;
  elementType: number;
  dims: readonly (number | string)[];
}

/**
 * Minimal ONNX graph writer: nodes get sequential names and outputs, so the same calls always
 * produce the same bytes (the build must be reproducible).
 */
export class OnnxGraphBuilder {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly usedNames = new Set<string>();

  /** A fresh value name based on `hint` (scope/op style names make the graph readable in Netron). */
  uniqueName(hint: string): string {
    let name = hint;
    for (let suffix = 1; this.usedNames.has(name); suffix++) name = `${hint}_${suffix}`;
    this.usedNames.add(name);
    return name;
  }

  floatTensor(hint: string, data: Float32Array, dims: readonly number[]): string {
    const expected = dims.reduce((product, size) => product * size, 1);
    if (expected !== data.length) throw new Error(`${hint}: ${data.length} values for dims [${dims.join(', ')}]`);
    const name = this.uniqueName(hint);
    const rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.initializers.push(
      onnx.TensorProto.create({ name, dims: [...dims], dataType: ElementType.float, rawData }),
    );
    return name;
  }

  int8Tensor(hint: string, data: Int8Array, dims: readonly number[]): string {
    return this.byteTensor(hint, ElementType.int8, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dims);
  }

  uint8Tensor(hint: string, data: Uint8Array, dims: readonly number[]): string {
    return this.byteTensor(hint, ElementType.uint8, data, dims);
  }

  private byteTensor(hint: string, dataType: number, rawData: Uint8Array, dims: readonly number[]): string {
    const expected = dims.reduce((product, size) => product * size, 1);
    if (expected !== rawData.length) throw new Error(`${hint}: ${rawData.length} values for dims [${dims.join(', ')}]`);
    const name = this.uniqueName(hint);
    this.initializers.push(onnx.TensorProto.create({ name, dims: [...dims], dataType, rawData }));
    return name;
  }

  floatScalar(hint: string, value: number): string {
    return this.floatTensor(hint, Float32Array.of(value), []);
  }

  int64Tensor(hint: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.uniqueName(hint);
    const rawData = new Uint8Array(new BigInt64Array(values.map((value) => BigInt(value))).buffer);
    this.initializers.push(
      onnx.TensorProto.create({ name, dims: [...dims], dataType: ElementType.int64, rawData }),
    );
    return name;
  }

  /** Adds one node and returns its output names. */
  op(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
    options: { name?: string; outputCount?: number; outputs?: readonly string[] } = {},
  ): string[] {
    const nodeName = this.uniqueName(options.name ?? opType);
    const outputs =
      options.outputs?.map((output) => {
        this.usedNames.add(output);
        return output;
      }) ??
      Array.from({ length: options.outputCount ?? 1 }, (_, index) =>
        this.uniqueName(`${nodeName}/output_${index}`),
      );
    const attribute = Object.entries(attributes).map(([name, value]) => toAttribute(name, value));
    this.nodes.push(onnx.NodeProto.create({ name: nodeName, opType, input: [...inputs], output: outputs, attribute }));
    return outputs;
  }

  /** Single-output shorthand for `op`. */
  op1(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, name?: string): string {
    const [output] = this.op(opType, inputs, attributes, name === undefined ? {} : { name });
    if (output === undefined) throw new Error('unreachable: op without output');
    return output;
  }

  /** Serialises the model; `opsetVersion` is the default-domain opset the nodes were written for. */
  encode(options: {
    graphName: string;
    inputs: readonly ValueSpec[];
    outputs: readonly ValueSpec[];
    opsetVersion: number;
    producerName: string;
    docString?: string;
  }): Uint8Array {
    const graph = onnx.GraphProto.create({
      name: options.graphName,
      node: this.nodes,
      initializer: this.initializers,
      input: options.inputs.map(toValueInfo),
      output: options.outputs.map(toValueInfo),
    });
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: options.producerName,
      opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: options.opsetVersion })],
      graph,
      ...(options.docString === undefined ? {} : { docString: options.docString }),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function toAttribute(name: string, value: AttributeValue): InstanceType<typeof onnx.AttributeProto> {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`Attribute ${name}: wrap non-integer numbers as { float }`);
    return onnx.AttributeProto.create({ name, type: AttributeType.INT, i: value });
  }
  if ('float' in value) return onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: value.float });
  return onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: [...value] });
}

function toValueInfo(spec: ValueSpec): InstanceType<typeof onnx.ValueInfoProto> {
  const dim = spec.dims.map((size) =>
    typeof size === 'number' ? { dimValue: size } : { dimParam: size },
  );
  return onnx.ValueInfoProto.create({
    name: spec.name,
    type: { tensorType: { elemType: spec.elementType, shape: { dim } } },
  });
}
