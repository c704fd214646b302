// A series' look comes from its name, not from the order it arrived in: the same business has the
// same colour and dash in every chart, on every screen, after every reload. The dash tells lines
// apart for those who cannot tell the colours apart (and on a grey printout).

// Colour-blind-safe hues (Okabe and Ito), in a lighter and a darker set so that each line keeps
// a contrast of 3:1 or more on the dark and on the light background.
const DARK = ["#56b4e9", "#e69f00", "#3fc79a", "#f0e442", "#ff7a45", "#d98cc0", "#a0a8ff", "#e0e0e0"];
const LIGHT = ["#0068a8", "#a86400", "#007a55", "#7a6d00", "#c0420a", "#a0407a", "#4a50c8", "#505050"];
const DASHES: number[][] = [[], [10, 5], [2, 4], [12, 4, 2, 4]];

export interface SeriesStyle {
  color: string;
  dash: number[];
}

export function seriesStyle(key: string): SeriesStyle {
  const h = fnv1a(key);
  const light = matchMedia("(prefers-color-scheme: light)").matches;
  const colors = light ? LIGHT : DARK;
  return { color: colors[h % colors.length], dash: DASHES[Math.floor(h / colors.length) % DASHES.length] };
}

// FNV-1a over the UTF-16 code units: small, stable and well spread for short names.
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
