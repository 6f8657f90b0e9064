// Draws the extension's 128×128 icon, images/icon.png: a teal route that turns and ends in an arrow, and a coral
// badge with a cross, the "doctor", on a dark rounded square. It is generated rather than drawn by hand so that the
// design can be changed in code review. Usage: node images/generate-icon.mjs
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const SIZE = 128;
// Each pixel is sampled on a 4×4 grid so that edges are anti-aliased.
const SAMPLES = 4;

const BACKGROUND = [15, 27, 45];
const ROUTE = [45, 212, 191];
const BADGE = [244, 96, 92];

// Shapes are inside-tests on a point in icon coordinates (0..128); later shapes paint over earlier ones.
const roundedSquare = (x, y) => {
  const r = 26;
  const dx = Math.max(r - x, 0, x - (SIZE - r));
  const dy = Math.max(r - y, 0, y - (SIZE - r));
  return dx * dx + dy * dy <= r * r;
};

const capsule = (ax, ay, bx, by, radius) => (x, y) => {
  const [vx, vy] = [bx - ax, by - ay];
  const t = Math.max(0, Math.min(1, ((x - ax) * vx + (y - ay) * vy) / (vx * vx + vy * vy)));
  const [dx, dy] = [x - (ax + t * vx), y - (ay + t * vy)];
  return dx * dx + dy * dy <= radius * radius;
};

const circle = (cx, cy, radius) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius;

const triangle = (points) => (x, y) => {
  const side = (i) => {
    const [ax, ay] = points[i];
    const [bx, by] = points[(i + 1) % 3];
    return (bx - ax) * (y - ay) - (by - ay) * (x - ax);
  };
  const s = [side(0), side(1), side(2)];
  return s.every((v) => v >= 0) || s.every((v) => v <= 0);
};

const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;

const union = (...shapes) => (x, y) => shapes.some((shape) => shape(x, y));

// The route: up from a start point, a quarter turn to the right, then straight on into the arrowhead.
const STROKE = 7;
const turn = [];
for (let i = 0; i < 16; i++) {
  const angle = (a) => Math.PI - (a / 16) * (Math.PI / 2);
  const [a0, a1] = [angle(i), angle(i + 1)];
  turn.push(capsule(58 + 26 * Math.cos(a0), 62 - 26 * Math.sin(a0), 58 + 26 * Math.cos(a1), 62 - 26 * Math.sin(a1), STROKE));
}
const route = union(
  circle(32, 102, 11),
  capsule(32, 102, 32, 62, STROKE),
  ...turn,
  capsule(58, 36, 84, 36, STROKE),
  triangle([[80, 16], [80, 56], [108, 36]]),
);

const badge = circle(90, 92, 27);
const cross = union(rect(84, 76, 96, 108), rect(74, 86, 106, 98));

const layers = [
  [roundedSquare, BACKGROUND],
  [route, ROUTE],
  [badge, BADGE],
  [cross, BACKGROUND],
];

const pixels = Buffer.alloc(SIZE * (1 + SIZE * 4));
for (let y = 0; y < SIZE; y++) {
  const row = y * (1 + SIZE * 4);
  pixels[row] = 0; // PNG filter type "None" for this scanline.
  for (let x = 0; x < SIZE; x++) {
    const sum = [0, 0, 0, 0];
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const [px, py] = [x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES];
        let colour;
        for (const [shape, fill] of layers) if (shape(px, py)) colour = fill;
        if (colour === undefined) continue;
        // Colour is averaged over the covered samples only, and the coverage becomes alpha, so that the transparent
        // corners do not darken the anti-aliased edge of the background.
        sum[0] += colour[0];
        sum[1] += colour[1];
        sum[2] += colour[2];
        sum[3] += 1;
      }
    }
    const offset = row + 1 + x * 4;
    const covered = sum[3];
    pixels[offset] = covered ? Math.round(sum[0] / covered) : 0;
    pixels[offset + 1] = covered ? Math.round(sum[1] / covered) : 0;
    pixels[offset + 2] = covered ? Math.round(sum[2] / covered) : 0;
    pixels[offset + 3] = Math.round((covered / (SAMPLES * SAMPLES)) * 255);
  }
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // 8 bits per channel.
header[9] = 6; // Colour type 6: RGBA.
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(pixels, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
console.log(`images/icon.png: ${SIZE}×${SIZE}, ${png.length} bytes`);
