// The playground page: builds the controls, keeps one session on the server,
// and draws what the server's training sends back. No training happens here:
// every number comes from akili's core through the JSON API.

import { ApiError, api } from "./api.js";
import { drawBoundary, drawLosses, drawNetwork, toPlane } from "./draw.js";
import { initialLanguage, rememberLanguage, setLanguage, t } from "./i18n.js";
import { renderStep } from "./stepview.js";

const $ = (id) => document.getElementById(id);

// The page's state; window.playground exposes it for the curious (and the browser tests).
const app = {
  options: null, id: null, state: null, frame: null, history: [], example: null,
  playing: false, queue: Promise.resolve(), framesPerSecond: null,
};
window.playground = app;

function say(message, isError = false) {
  const status = $("status");
  status.textContent = message;
  status.classList.toggle("error", isError);
}

/** A failed call: playing stops and the message is shown; an expired session is replaced. */
async function report(error) {
  app.playing = false;
  updatePlayButton();
  if (error instanceof ApiError && error.status === 404 && /session/.test(error.message)) {
    await startSession(app.state?.config ?? {});
    say(t("expired"));
    return;
  }
  say(error.message, true);
}

/** Run API work one call at a time, in order. */
function enqueue(task) {
  app.queue = app.queue.then(task).catch(report);
  return app.queue;
}

/** A call in the same order as enqueue's, whose result (or error) goes to the caller. */
function queued(call) {
  const result = app.queue.then(call);
  app.queue = result.then(() => undefined, () => undefined);
  return result;
}

// -- controls ------------------------------------------------------------------
function option(value, key) {
  const element = document.createElement("option");
  element.value = value;
  if (key) element.dataset.i18n = key;
  element.textContent = key ? t(key) : value;
  return element;
}

function configure(changes) {
  return enqueue(async () => applyState(await api.configure(app.id, changes)));
}

function buildControls(options) {
  $("dataset").replaceChildren(...options.data.map((name) => option(name, `data.${name}`)));
  for (const id of ["iris-x", "iris-y"]) {
    $(id).replaceChildren(...options.iris_features.map((name, i) => option(String(i), `iris.${i}`)));
  }
  $("iris-species").replaceChildren(...options.iris_species.map((name, i) => {
    const element = option(String(i));
    element.textContent = name;
    return element;
  }));
  $("output-activation").replaceChildren(...options.output_activations.map((name) => option(name)));
  const training = $("training-options");
  training.replaceChildren();
  for (const control of options.controls) {
    const label = document.createElement("label");
    const text = document.createElement("span");
    text.dataset.i18n = `opt.${control.name}`;
    text.textContent = t(text.dataset.i18n);
    let input;
    if (control.kind === "choice") {
      input = document.createElement("select");
      input.append(...control.choices.map((c) => option(c, `choice.${control.name}.${c}`)));
      input.addEventListener("change", () => configure({ [control.name]: input.value }));
    } else {
      input = document.createElement("input");
      input.type = "number";
      input.min = control.minimum;
      input.max = control.maximum;
      input.step = control.integer ? "1" : "any";
      input.addEventListener("change", () => {
        const value = Number(input.value);
        if (input.value === "" || !Number.isFinite(value)) return;
        configure({ [control.name]: value });
      });
    }
    input.id = `option-${control.name}`;
    input.name = control.name;
    label.append(text, " ", input);
    training.append(label);
  }

  $("dataset").addEventListener("change", () => configure({ data: $("dataset").value }));
  const irisChange = () => configure({
    iris_features: [Number($("iris-x").value), Number($("iris-y").value)],
    iris_species: Number($("iris-species").value),
  });
  for (const id of ["iris-x", "iris-y", "iris-species"]) $(id).addEventListener("change", irisChange);
  $("noise").addEventListener("input", () => { $("noise-value").textContent = $("noise").value; });
  $("noise").addEventListener("change", () => configure({ noise: Number($("noise").value) / 100 }));
  $("test-share").addEventListener("input", () => { $("test-share-value").textContent = $("test-share").value; });
  $("test-share").addEventListener("change", () => configure({ test_share: Number($("test-share").value) / 100 }));
  $("output-activation").addEventListener("change", () => configure({ output_activation: $("output-activation").value }));
  $("bias").addEventListener("change", () => configure({ bias: $("bias").checked }));
  $("speed").addEventListener("change", () => configure({ epochs_per_frame: Number($("speed").value) }));
  $("show-test").addEventListener("change", () => draw());
  $("add-layer").addEventListener("click", () => {
    const hidden = app.state.config.hidden;
    if (hidden.length < app.options.max_hidden_layers) {
      configure({ hidden: [...hidden, { nodes: 4, activation: hidden.at(-1)?.activation ?? "tanh" }] });
    }
  });
  $("remove-layer").addEventListener("click", () => {
    const hidden = app.state.config.hidden;
    if (hidden.length > 0) configure({ hidden: hidden.slice(0, -1) });
  });
  $("boundary").addEventListener("click", (event) => {
    if (!app.frame?.boundary) {
      say(t("no_points"));
      return;
    }
    const canvas = $("boundary");
    const box = canvas.getBoundingClientRect();
    const [x, y] = toPlane(canvas, ((event.clientX - box.left) / box.width) * canvas.width,
      ((event.clientY - box.top) / box.height) * canvas.height);
    const label = Number(document.querySelector("input[name=click-class]:checked").value);
    enqueue(async () => applyState(await api.addPoint(app.id, x, y, label)));
  });
}

function buildLayers(config) {
  const rows = config.hidden.map((layer, index) => {
    const row = document.createElement("div");
    row.className = "layer";
    const name = document.createElement("span");
    name.dataset.i18n = "hidden_layer";
    name.dataset.i18nValues = JSON.stringify({ n: index + 1 });
    name.textContent = t("hidden_layer", { n: index + 1 });
    const change = (changes) => configure({
      hidden: config.hidden.map((l, i) => (i === index ? { ...l, ...changes } : l)),
    });
    const fewer = document.createElement("button");
    fewer.type = "button";
    fewer.textContent = "−";
    fewer.className = "nodes-minus";
    fewer.disabled = layer.nodes <= 1;
    fewer.addEventListener("click", () => change({ nodes: layer.nodes - 1 }));
    const more = document.createElement("button");
    more.type = "button";
    more.textContent = "+";
    more.className = "nodes-plus";
    more.disabled = layer.nodes >= app.options.max_nodes;
    more.addEventListener("click", () => change({ nodes: layer.nodes + 1 }));
    const count = document.createElement("span");
    count.className = "nodes";
    count.textContent = String(layer.nodes);
    const unit = document.createElement("span");
    unit.dataset.i18n = "nodes";
    unit.textContent = t("nodes");
    const activation = document.createElement("select");
    activation.className = "activation";
    activation.append(...app.options.activations.filter((a) => a !== "softmax").map((a) => option(a)));
    activation.value = layer.activation;
    activation.addEventListener("change", () => change({ activation: activation.value }));
    row.append(name, " ", fewer, count, " ", unit, " ", more, " ", activation);
    return row;
  });
  $("layers").replaceChildren(...rows);
  $("layer-count").dataset.i18n = "layer_count";
  $("layer-count").dataset.i18nValues = JSON.stringify({ n: config.hidden.length });
  $("layer-count").textContent = t("layer_count", { n: config.hidden.length });
}

/** Controls show the session's settings (after every answer that carries them). */
function syncControls(config) {
  const lecture = config.data.startsWith("lecture:");
  $("dataset").value = config.data;
  $("iris-options").hidden = config.data !== "iris";
  $("point-options").hidden = lecture;
  $("lecture-note").hidden = !lecture;
  $("lecture-note").dataset.i18n = "lecture_note";
  $("lecture-note").textContent = t("lecture_note");
  $("iris-x").value = String(config.iris_features[0]);
  $("iris-y").value = String(config.iris_features[1]);
  $("iris-species").value = String(config.iris_species);
  $("noise").value = String(Math.round(config.noise * 100));
  $("noise-value").textContent = $("noise").value;
  $("test-share").value = String(Math.round(config.test_share * 100));
  $("test-share-value").textContent = $("test-share").value;
  $("output-activation").value = config.output_activation;
  $("bias").checked = config.bias;
  $("speed").value = String(config.epochs_per_frame);
  for (const control of app.options.controls) $(`option-${control.name}`).value = String(config[control.name]);
  for (const id of ["add-layer", "remove-layer", "output-activation", "bias"]) $(id).disabled = lecture;
  buildLayers(config);
  for (const element of $("layers").querySelectorAll("button, select")) element.disabled ||= lecture;
}

// -- drawing -------------------------------------------------------------------
function showLoss(id, value) {
  $(id).textContent = value.toFixed(4);
  $(id).dataset.value = String(value);
}

function draw() {
  const frame = app.frame;
  $("epoch").textContent = String(frame.epoch);
  showLoss("train-loss", frame.train_loss);
  showLoss("test-loss", frame.test_loss);
  drawBoundary($("boundary"), frame, app.state, $("show-test").checked);
  drawLosses($("loss-chart"), app.history);
  const trace = app.example?.trace;
  const nodeValues = trace ? [trace.layer_inputs[0], ...trace.layer_outputs] : null;
  drawNetwork($("network"), app.state.layers, frame, nodeValues);
}

function acceptFrame(frame) {
  app.frame = frame;
  const last = app.history.at(-1);
  if (!last || last[0] !== frame.epoch || last[1] !== frame.steps) {
    app.history.push([frame.epoch, frame.steps, frame.train_loss, frame.test_loss]);
    // A long run keeps every other point, as the server does: memory stays bounded.
    if (app.history.length > 5000) app.history = app.history.filter((_, i) => i % 2 === 0);
  }
  draw();
}

function applyState(state) {
  app.state = state;
  app.history = state.history.slice();
  app.example = null;
  $("step-panel").hidden = true;
  syncControls(state.config);
  $("download-model").href = api.modelUrl(app.id);
  $("download-code").href = api.codeUrl(app.id);
  acceptFrame(state.frame);
}

async function startSession(config) {
  const created = await api.create(config);
  app.id = created.session;
  applyState(created.state);
}

// -- training --------------------------------------------------------------------
function updatePlayButton() {
  const button = $("play");
  button.dataset.i18n = app.playing ? "pause" : "play";
  button.textContent = t(button.dataset.i18n);
  button.classList.toggle("playing", app.playing);
}

async function play() {
  // One frame is always on its way while the last one is drawn: the server trains the
  // next epoch while the browser paints, and no more than one frame is ever in flight,
  // so the page never falls behind. A hidden tab stops asking (the training pauses).
  let frames = 0;
  let since = performance.now();
  const run = (app.playRun = (app.playRun ?? 0) + 1);  // a quick pause and play starts a new loop
  let pending = queued(() => api.frame(app.id));
  while (app.playing && app.playRun === run) {
    let frame;
    try {
      frame = await pending;
    } catch (error) {
      await report(error);
      return;
    }
    if (document.hidden) await new Promise((resolve) => document.addEventListener("visibilitychange", resolve, { once: true }));
    if (app.playing && app.playRun === run) pending = queued(() => api.frame(app.id));
    acceptFrame(frame);
    frames += 1;
    const now = performance.now();
    if (now - since >= 1000) {
      app.framesPerSecond = (frames * 1000) / (now - since);
      $("rate").textContent = app.framesPerSecond.toFixed(1);
      frames = 0;
      since = now;
    }
  }
}

function step(kind) {
  app.playing = false;
  updatePlayButton();
  return enqueue(async () => {
    const answer = await api.step(app.id, kind);
    if (answer.example) {
      app.example = answer.example;
      renderStep($("step-layers"), $("step-summary"), answer.example);
      $("step-panel").hidden = false;
    }
    acceptFrame(answer.frame);
  });
}

function wireToolbar() {
  $("play").addEventListener("click", () => {
    app.playing = !app.playing;
    updatePlayButton();
    if (app.playing) play();
  });
  $("step-batch").addEventListener("click", () => step("batch"));
  $("step-example").addEventListener("click", () => step("example"));
  $("reset").addEventListener("click", () => {
    app.playing = false;
    updatePlayButton();
    enqueue(async () => applyState(await api.reset(app.id)));
  });
  $("lang").addEventListener("change", () => {
    setLanguage($("lang").value);
    rememberLanguage($("lang").value);
    if (app.example) renderStep($("step-layers"), $("step-summary"), app.example);
  });
  // The server frees the session as soon as the tab goes away.
  window.addEventListener("pagehide", () => {
    app.playing = false;
    if (app.id) api.close(app.id);
    app.id = null;
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) enqueue(() => startSession(app.state?.config ?? {}));
  });
}

async function main() {
  const language = initialLanguage();
  $("lang").value = language;
  setLanguage(language);
  wireToolbar();
  await enqueue(async () => {
    app.options = await api.options();
    buildControls(app.options);
    await startSession({});
    document.body.dataset.ready = "true";
  });
}

main();
