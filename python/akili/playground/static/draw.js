// Drawing: the decision boundary with the points, the loss curves, and the
// network with its link weights and each node's output over the plane.

const BLUE = [8, 119, 189];
const ORANGE = [245, 147, 34];
const WHITE = [250, 250, 250];

/** Colour of a value in [0, 1]: blue at 0, white at 0.5, orange at 1. */
function colour(value) {
  const v = Math.min(1, Math.max(0, value));
  const [from, to, share] = v < 0.5 ? [BLUE, WHITE, v / 0.5] : [WHITE, ORANGE, (v - 0.5) / 0.5];
  return from.map((c, i) => Math.round(c + (to[i] - c) * share));
}

/** The values of a quantized map: v = low + b/255·(high − low). */
export function decodeMap(map) {
  const bytes = Uint8Array.from(atob(map.data), (c) => c.charCodeAt(0));
  const scale = (map.high - map.low) / 255;
  return Float64Array.from(bytes, (b) => map.low + b * scale);
}

const RANGES = { sigmoid: [0, 1], tanh: [-1, 1] };

// Small canvases reused from frame to frame (one per node and one for the boundary).
const mapCanvases = new Map();

/** A map drawn onto a small canvas, values brought to [0, 1] by the activation's range. */
function mapImage(map, activation, forOutput, key) {
  const values = decodeMap(map);
  let [low, high] = forOutput ? [0, 1] : RANGES[activation] ?? [map.low, map.high];
  if (!(high > low)) [low, high] = [low - 1, low + 1];
  let canvas = mapCanvases.get(key);
  if (!canvas || canvas.width !== map.size) {
    canvas = document.createElement("canvas");
    canvas.width = canvas.height = map.size;
    mapCanvases.set(key, canvas);
  }
  const context = canvas.getContext("2d");
  const image = context.createImageData(map.size, map.size);
  values.forEach((value, i) => {
    const [r, g, b] = colour((value - low) / (high - low));
    image.data.set([r, g, b, 255], 4 * i);
  });
  context.putImageData(image, 0, 0);
  return canvas;
}

/** Plane coordinates [-1, 1]² to canvas pixels and back. */
export function toPixel(canvas, x, y) {
  return [((x + 1) / 2) * canvas.width, ((1 - y) / 2) * canvas.height];
}

export function toPlane(canvas, px, py) {
  return [(px / canvas.width) * 2 - 1, 1 - (py / canvas.height) * 2];
}

// The points change only with the data, not with each frame: drawn once, then copied.
const pointLayers = new WeakMap();

function pointLayer(canvas, data, showTest) {
  const key = showTest ? "withTest" : "trainOnly";
  const cached = pointLayers.get(data)?.[key];
  if (cached && cached.width === canvas.width && cached.height === canvas.height) return cached;
  const layer = document.createElement("canvas");
  layer.width = canvas.width;
  layer.height = canvas.height;
  const context = layer.getContext("2d");
  const sets = [[data.train, "#ffffff"]];
  if (showTest) sets.push([data.test, "#222222"]);
  for (const [set, edge] of sets) {
    set.x.forEach(([x, y], i) => {
      const [px, py] = toPixel(canvas, x, y);
      const [r, g, b] = colour(set.t[i][0]);
      context.beginPath();
      context.arc(px, py, 3.5, 0, 2 * Math.PI);
      context.fillStyle = `rgb(${r},${g},${b})`;
      context.fill();
      context.lineWidth = 1;
      context.strokeStyle = edge;
      context.stroke();
    });
  }
  pointLayers.set(data, { ...pointLayers.get(data), [key]: layer });
  return layer;
}

export function drawBoundary(canvas, frame, data, showTest) {
  const context = canvas.getContext("2d");
  context.fillStyle = "#f4f4f4";
  context.fillRect(0, 0, canvas.width, canvas.height);
  if (!frame.boundary) return;
  context.imageSmoothingEnabled = true;
  context.drawImage(mapImage(frame.boundary, null, true, "boundary"), 0, 0, canvas.width, canvas.height);
  context.drawImage(pointLayer(canvas, data, showTest), 0, 0);
}

export function drawLosses(canvas, history) {
  const context = canvas.getContext("2d");
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  context.fillStyle = "#fafafa";
  context.fillRect(0, 0, width, height);
  if (history.length < 2) return;
  // At most one point per pixel column: long runs cost no more to draw than short ones.
  const stride = Math.max(1, Math.ceil(history.length / width));
  const shown = history.filter((_, i) => i % stride === 0 || i === history.length - 1);
  const top = Math.max(...shown.map((h) => Math.max(h[2], h[3]))) || 1;
  const steps = shown.length - 1;
  for (const [column, style] of [[2, "#999999"], [3, "#111111"]]) {
    context.beginPath();
    shown.forEach((h, i) => {
      const x = (i / steps) * (width - 4) + 2;
      const y = height - 2 - (h[column] / top) * (height - 4);
      if (i === 0) context.moveTo(x, y);
      else context.lineTo(x, y);
    });
    context.strokeStyle = style;
    context.lineWidth = 1.5;
    context.stroke();
  }
}

/** Node positions: one column per layer (inputs first), nodes centred in their column. */
function layout(canvas, sizes) {
  const box = 34;
  const columnWidth = canvas.width / sizes.length;
  return sizes.map((count, column) => {
    const gap = Math.min(box + 10, (canvas.height - 10) / count);
    const top = (canvas.height - gap * (count - 1)) / 2;
    return Array.from({ length: count }, (_, k) => [columnWidth * (column + 0.5), top + gap * k, box]);
  });
}

/** The input nodes' own maps: x1 and x2 over the plane. */
function inputMaps(size) {
  const maps = [[], []];
  for (let row = 0; row < size; row += 1) {
    for (let column = 0; column < size; column += 1) {
      maps[0].push(-1 + (2 * column + 1) / size);
      maps[1].push(1 - (2 * row + 1) / size);
    }
  }
  return maps.map((values) => {
    const bytes = Uint8Array.from(values, (v) => Math.round(((v + 1) / 2) * 255));
    return { size, low: -1, high: 1, data: btoa(String.fromCharCode(...bytes)) };
  });
}

export function drawNetwork(canvas, layers, frame, nodeValues) {
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  const sizes = [layers[0].inputs, ...layers.map((l) => l.outputs)];
  const places = layout(canvas, sizes);
  const weights = frame.weights;
  const largest = Math.max(1e-9, ...weights.flat(2).map(Math.abs));
  weights.forEach((matrix, k) => {
    matrix.forEach((row, i) => {
      row.forEach((w, j) => {
        const [x0, y0, box] = places[k][j];
        const [x1, y1] = places[k + 1][i];
        const [r, g, b] = colour(w > 0 ? 1 : 0);
        context.beginPath();
        context.moveTo(x0 + box / 2, y0);
        context.lineTo(x1 - box / 2, y1);
        context.strokeStyle = `rgba(${r},${g},${b},0.85)`;
        context.lineWidth = 0.5 + 4.5 * (Math.abs(w) / largest);
        context.stroke();
      });
    });
  });
  const maps = frame.nodes ? [inputMaps(frame.nodes[0][0].size), ...frame.nodes] : null;
  const activations = [null, ...layers.map((l) => l.activation)];
  places.forEach((column, k) => {
    column.forEach(([x, y, box], i) => {
      if (maps) {
        context.imageSmoothingEnabled = false;
        const map = maps[k][i];
        const image = mapImage(map, activations[k], k === places.length - 1, `${k}-${i}`);
        context.drawImage(image, x - box / 2, y - box / 2, box, box);
      } else {
        context.fillStyle = "#ffffff";
        context.fillRect(x - box / 2, y - box / 2, box, box);
        const value = nodeValues?.[k]?.[i];
        if (value !== undefined) {
          context.fillStyle = "#111111";
          context.font = "11px sans-serif";
          context.textAlign = "center";
          context.fillText(value.toFixed(2), x, y + 4);
        }
      }
      context.strokeStyle = "#555555";
      context.lineWidth = 1;
      context.strokeRect(x - box / 2, y - box / 2, box, box);
    });
  });
}
