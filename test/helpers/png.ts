/**
 * A small PNG reader for tests (PNG spec, W3C 2003, §5 chunks, §9 filtering): enough to check that
 * a picture is a whole, decodable PNG and to look at its pixels. Non-interlaced, 8-bit only.
 */
import { inflateSync } from 'node:zlib';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngChunk {
  type: string;
  data: Buffer;
  /** Whether the stored CRC matches the chunk's type and data. */
  crcOk: boolean;
}

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
}

/** Samples per pixel by colour type: grey, RGB, palette, grey + alpha, RGBA. */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The chunks in order; throws if the signature is wrong or a chunk runs past the end. */
export function pngChunks(png: Buffer): PngChunk[] {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG: bad signature');
  const chunks: PngChunk[] = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    if (at + 12 + length > png.length) throw new Error(`chunk at ${String(at)} runs past the end`);
    const typeAndData = png.subarray(at + 4, at + 8 + length);
    chunks.push({
      type: typeAndData.subarray(0, 4).toString('latin1'),
      data: typeAndData.subarray(4),
      crcOk: crc32(typeAndData) === png.readUInt32BE(at + 8 + length),
    });
    at += 12 + length;
  }
  return chunks;
}

export function pngHeader(png: Buffer): PngHeader {
  const ihdr = pngChunks(png)[0];
  if (ihdr?.type !== 'IHDR') throw new Error('the first chunk is not IHDR');
  return {
    width: ihdr.data.readUInt32BE(0),
    height: ihdr.data.readUInt32BE(4),
    bitDepth: ihdr.data.readUInt8(8),
    colorType: ihdr.data.readUInt8(9),
    interlace: ihdr.data.readUInt8(12),
  };
}

/** Bytes per pixel, rounded up to one for bit depths below 8 (what the filters step by). */
export function bytesPerPixel(header: PngHeader): number {
  const channels = CHANNELS[header.colorType];
  if (channels === undefined) throw new Error(`unknown colour type ${String(header.colorType)}`);
  return Math.max(1, (channels * header.bitDepth) / 8);
}

/** The IDAT chunks' data, concatenated and inflated: each scanline as a filter byte and its pixels. */
export function inflatedImageData(png: Buffer): Buffer {
  return inflateSync(Buffer.concat(pngChunks(png).filter((c) => c.type === 'IDAT').map((c) => c.data)));
}

export interface DecodedPng extends PngHeader {
  channels: number;
  /** The samples of the pixel at (x, y): [r, g, b, a] for RGBA. */
  pixel(x: number, y: number): number[];
}

/** Undoes the scanline filters (None, Sub, Up, Average, Paeth) of an 8-bit, non-interlaced PNG. */
export function decodePng(png: Buffer): DecodedPng {
  const header = pngHeader(png);
  if (header.bitDepth !== 8 || header.interlace !== 0) throw new Error('only 8-bit, non-interlaced PNGs');
  const bpp = bytesPerPixel(header);
  const stride = header.width * bpp;
  const raw = inflatedImageData(png);
  const pixels = Buffer.alloc(header.height * stride);
  for (let y = 0; y < header.height; y += 1) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i += 1) {
      const a = i >= bpp ? (pixels[y * stride + i - bpp] ?? 0) : 0;
      const b = y > 0 ? (pixels[(y - 1) * stride + i] ?? 0) : 0;
      const c = y > 0 && i >= bpp ? (pixels[(y - 1) * stride + i - bpp] ?? 0) : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter ?? -1];
      if (predictor === undefined) throw new Error(`unknown filter ${String(filter)} on line ${String(y)}`);
      pixels[y * stride + i] = ((line[i] ?? 0) + predictor) & 0xff;
    }
  }
  return {
    ...header,
    channels: bpp,
    pixel: (x, y) => [...pixels.subarray(y * stride + x * bpp, y * stride + (x + 1) * bpp)],
  };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
