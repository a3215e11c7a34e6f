// Step mode: one example through the network, laid out layer by layer with the
// book's names and equations, every number filled in from net.step(x, t, trace=True).
// Each number keeps its exact value in data-value (the tests read it back).

import { t } from "./i18n.js";

const ACTIVATION_FORMULA = {
  sigmoid: ["O = σ(X) = 1/(1+e^−X)", "D = E ∘ O ∘ (1 − O)"],
  tanh: ["O = tanh(X)", "D = E ∘ (1 − O²)"],
  relu: ["O = max(0, X)", "D = E ∘ [X > 0]"],
  identity: ["O = X", "D = E"],
};

function number(value) {
  const shown = Math.abs(value) >= 1e4 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential(3) : value.toFixed(4);
  return `<span class="num" data-value="${String(value)}">${shown}</span>`;
}

function vector(values, name) {
  return `<span class="vec" data-name="${name}">[${values.map(number).join(", ")}]</span>`;
}

function matrix(rows, name) {
  const body = rows.map((row) => `<tr>${row.map((v) => `<td>${number(v)}</td>`).join("")}</tr>`).join("");
  return `<table class="mat" data-name="${name}">${body}</table>`;
}

function row(equation, label, value) {
  return `<tr><th class="eq">${equation}</th><td class="what">${label}</td><td class="value">${value}</td></tr>`;
}

function hiddenErrorRow(rule) {
  return {
    transpose: ["E = Wₙₑₓₜᵀ · Eₙₑₓₜ", t("eq_hidden_transpose")],
    normalized: ["E = Σᵢ Eₙₑₓₜ,ᵢ · wᵢⱼ / Σⱼ|wᵢⱼ|", t("eq_hidden_normalized")],
    gradient: ["E = Wₙₑₓₜᵀ · Dₙₑₓₜ", t("eq_hidden_gradient")],
  }[rule];
}

export function renderStep(container, summary, example) {
  const trace = example.trace;
  const last = trace.layer_inputs.length - 1;
  summary.textContent = t("example_summary", {
    i: example.index, x: `[${example.inputs.map((v) => v.toFixed(4)).join(", ")}]`,
    t: `[${example.targets.map((v) => v.toFixed(4)).join(", ")}]`, rule: example.rule,
    lr: example.learning_rate, loss: trace.loss.toPrecision(6),
  });
  summary.dataset.loss = String(trace.loss);
  const parts = [];
  for (let k = 0; k <= last; k += 1) {
    const activation = example.activations[k];
    const [outputFormula, deltaFormula] = ACTIVATION_FORMULA[activation] ?? ["O = f(X)", "D = E ∘ f′(X)"];
    const hasBias = example.biases[k] !== null;
    const title = k === last ? t("layer_output", { k }) : t("layer_hidden", { k, n: k + 1 });
    const errorRow = k === last
      ? row(example.loss === "squared_error" ? "E = T − O" : "E = −∂L/∂O", t("eq_output_error"), vector(trace.errors[k], `errors-${k}`))
      : row(...hiddenErrorRow(example.rule), vector(trace.errors[k], `errors-${k}`));
    parts.push(`<section class="step-layer" data-layer="${k}"><h3>${title}</h3><table class="equations">
      ${row("I", t("eq_input"), vector(trace.layer_inputs[k], `inputs-${k}`))}
      ${row("W", t("eq_weights"), matrix(example.weights[k], `weights-${k}`))}
      ${row(hasBias ? "X = W · I + b" : "X = W · I", t("eq_combined"), vector(trace.combined[k], `combined-${k}`))}
      ${row(outputFormula, t("eq_output"), vector(trace.layer_outputs[k], `outputs-${k}`))}
      ${errorRow}
      ${row(deltaFormula, "", vector(trace.deltas[k], `deltas-${k}`))}
      ${row("ΔW = lr · D · Iᵀ", t("eq_update"), matrix(trace.weight_updates[k], `weight_updates-${k}`))}
      ${hasBias ? row("Δb = lr · D", t("eq_bias_update"), vector(trace.bias_updates[k], `bias_updates-${k}`)) : ""}
    </table></section>`);
  }
  container.innerHTML = parts.join("");
}
