// A small line chart on a canvas: a few named series over a shared x axis, redrawn in full.
export interface Series {
  label: string;
  color: string;
  points: Array<[number, number]>;
  /** Draw dots at the points (for sparse series such as per-epoch test results). */
  dots?: boolean;
}

export function drawLineChart(canvas: HTMLCanvasElement, series: Series[], yRange?: [number, number]): void {
  const scale = devicePixelRatio || 1;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  canvas.width = width * scale;
  canvas.height = height * scale;
  const g = canvas.getContext('2d')!;
  g.scale(scale, scale);
  g.clearRect(0, 0, width, height);
  const all = series.flatMap((s) => s.points);
  const pad = { left: 38, right: 8, top: 18, bottom: 30 };
  const maxX = Math.max(1, ...all.map(([x]) => x));
  // With no points yet, an axis from 0 to 1 (not 0 to almost 0, which labels every line "0.00").
  const [minY, maxY] = yRange ?? [0, all.length ? Math.max(1e-6, ...all.map(([, y]) => y)) : 1];
  const px = (x: number) => pad.left + (x / maxX) * (width - pad.left - pad.right);
  const py = (y: number) => height - pad.bottom - ((y - minY) / (maxY - minY)) * (height - pad.top - pad.bottom);
  g.font = '11px system-ui, sans-serif';
  g.strokeStyle = '#e3e6ec';
  g.fillStyle = '#667085';
  g.lineWidth = 1;
  // Enough decimals that the five labels differ: one more than the step's first digit needs.
  const yStep = (maxY - minY) / 4;
  const decimals = Math.min(8, Math.max(0, Math.ceil(-Math.log10(yStep)) + (yStep < 1 ? 1 : 0)));
  for (let i = 0; i <= 4; i++) {
    const y = minY + yStep * i;
    g.beginPath();
    g.moveTo(pad.left, py(y));
    g.lineTo(width - pad.right, py(y));
    g.stroke();
    g.fillText(y.toFixed(decimals), 4, py(y) + 4);
  }
  // The x axis: whole epochs, at most about ten labels, and its unit at the end.
  const xStep = Math.max(1, Math.ceil(maxX / 10));
  g.textAlign = 'center';
  for (let x = 0; x <= maxX; x += xStep) g.fillText(String(x), px(x), height - 4);
  g.textAlign = 'right';
  g.fillText('epoch', width - pad.right, height - 4 - 11);
  g.textAlign = 'left';
  let legendX = pad.left;
  for (const s of series) {
    g.strokeStyle = g.fillStyle = s.color;
    g.lineWidth = 2;
    g.beginPath();
    s.points.forEach(([x, y], i) => (i ? g.lineTo(px(x), py(y)) : g.moveTo(px(x), py(y))));
    g.stroke();
    if (s.dots) for (const [x, y] of s.points) g.fillRect(px(x) - 3, py(y) - 3, 6, 6);
    g.fillRect(legendX, 5, 10, 3);
    g.fillText(s.label, legendX + 14, 11);
    legendX += g.measureText(s.label).width + 30;
  }
}
