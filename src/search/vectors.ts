/** The dot product of two vectors of the same length: their cosine when both are unit length, as every embedding here is. */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
