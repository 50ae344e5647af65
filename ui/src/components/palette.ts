// Colour-blind friendly palette (Okabe–Ito), for chart series.
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];
export const colorAt = (i: number): string => PALETTE[i % PALETTE.length] ?? '#333';
