// The page's words in English and Kiswahili. Elements carry data-i18n="key"
// (their text) or data-i18n-title="key" (their tooltip); code calls t(key, values).

const TEXT = {
  en: {
    title: "playground",
    tagline: "Train a neural network live: every weight and every error, computed by akili's core.",
    language: "Language",
    reset: "Reset", reset_title: "Start again from the first weights",
    play: "Play", pause: "Pause",
    step_batch: "Step one batch", step_example: "Step one example",
    speed: "Speed", epochs_per_frame: "epochs per frame",
    epoch: "Epoch", rate: "Frames/s",
    download_model: "Download model", download_code: "Python code",
    data: "Data", dataset: "Data set",
    feature_x: "Horizontal feature", feature_y: "Vertical feature", species: "Class 1 is",
    noise: "Noise", test_share: "Held out for testing",
    click_adds: "A click on the plot adds a training point of class",
    show_test: "Show the test points",
    network: "Network", add_layer: "+ layer", remove_layer: "− layer",
    layer_count: "{n} hidden layers", hidden_layer: "Hidden layer {n}", nodes: "nodes",
    output_activation: "Output activation", bias: "Biases (the book's network has none)",
    network_note: "Links: orange positive, blue negative, width ∝ |weight|. Each node shows its output over the plot.",
    output: "Output", train_loss: "Training loss", test_loss: "Test loss", train: "training", test: "test",
    boundary_note: "The colour is the network's output at each point: blue near 0, orange near 1.",
    step_mode: "Step mode: one example through the network",
    footer: "Runs on this computer only; nothing is sent anywhere else.",
    "opt.rule": "Error rule", "opt.loss": "Loss", "opt.learning_rate": "Learning rate",
    "opt.batch_size": "Batch size", "opt.seed": "Seed",
    "choice.rule.transpose": "transpose (the book: Wᵀ·E)",
    "choice.rule.normalized": "normalized (the lecture: w/Σ|w|)",
    "choice.rule.gradient": "gradient (back-propagation)",
    "choice.loss.squared_error": "squared error ½Σ(t−o)²",
    "choice.loss.mse": "mean squared error",
    "choice.loss.cross_entropy": "cross-entropy",
    "data.xor": "XOR", "data.gaussians": "Two Gaussians", "data.circles": "Circles", "data.spiral": "Spiral",
    "data.iris": "Iris (two features)",
    "data.lecture:split": "Lecture: 0.6 and 0.2 share an error of 2.0",
    "data.lecture:book_2x2": "Lecture: the book's 2×2 example",
    lecture_note: "This example has one input and a fixed network. Press “Step one example” and read the hidden errors; change the error rule, press Reset and step again to compare.",
    expired: "The session had expired; a new one has started.",
    no_points: "The lecture examples have one input: there is no plane to click on.",
    layer_hidden: "Layer {k}: hidden layer {n}", layer_output: "Layer {k}: output layer",
    example_summary: "Training example {i}: input I = {x}, target T = {t}; rule {rule}, learning rate {lr}. Loss before the update: {loss}.",
    eq_input: "input", eq_weights: "weights", eq_combined: "combined input", eq_output: "output",
    eq_output_error: "output error",
    eq_hidden_transpose: "hidden error: the errors sent back through Wᵀ",
    eq_hidden_normalized: "hidden error: each error split in proportion to w/Σ|w|",
    eq_hidden_gradient: "hidden error: the gradient sent back through Wᵀ",
    eq_delta: "error times the slope of the activation", eq_update: "weight change",
    eq_bias_update: "bias change",
    "iris.0": "sepal length", "iris.1": "sepal width", "iris.2": "petal length", "iris.3": "petal width",
  },
  sw: {
    title: "uwanja wa mazoezi",
    tagline: "Funza mtandao wa neva moja kwa moja: kila uzito na kila kosa vinakokotolewa na kiini cha akili.",
    language: "Lugha",
    reset: "Anza upya", reset_title: "Anza tena kutoka kwa uzito wa mwanzo",
    play: "Endesha", pause: "Sitisha",
    step_batch: "Hatua ya kundi moja", step_example: "Hatua ya mfano mmoja",
    speed: "Kasi", epochs_per_frame: "mizunguko kwa kila fremu",
    epoch: "Mzunguko", rate: "Fremu kwa sekunde",
    download_model: "Pakua modeli", download_code: "Msimbo wa Python",
    data: "Data", dataset: "Seti ya data",
    feature_x: "Sifa ya mlalo", feature_y: "Sifa ya wima", species: "Daraja la 1 ni",
    noise: "Kelele", test_share: "Sehemu iliyotengwa kwa majaribio",
    click_adds: "Kubofya kwenye mchoro kunaongeza nukta ya mafunzo ya daraja",
    show_test: "Onyesha nukta za majaribio",
    network: "Mtandao", add_layer: "+ tabaka", remove_layer: "− tabaka",
    layer_count: "matabaka fiche: {n}", hidden_layer: "Tabaka fiche la {n}", nodes: "nodi",
    output_activation: "Uamilisho wa tabaka la matokeo", bias: "Upendeleo (mtandao wa kitabu hauna)",
    network_note: "Viungo: rangi ya chungwa ni chanya, buluu ni hasi, unene ∝ |uzito|. Kila nodi inaonyesha tokeo lake kwenye mchoro mzima.",
    output: "Matokeo", train_loss: "Hasara ya mafunzo", test_loss: "Hasara ya majaribio", train: "mafunzo", test: "majaribio",
    boundary_note: "Rangi ni tokeo la mtandao katika kila nukta: buluu karibu na 0, chungwa karibu na 1.",
    step_mode: "Hatua kwa hatua: mfano mmoja unapopita kwenye mtandao",
    footer: "Inaendeshwa kwenye kompyuta hii tu; hakuna kinachotumwa kwingineko.",
    "opt.rule": "Kanuni ya makosa", "opt.loss": "Hasara", "opt.learning_rate": "Kiwango cha kujifunza",
    "opt.batch_size": "Ukubwa wa kundi", "opt.seed": "Mbegu",
    "choice.rule.transpose": "transpose (kitabu: Wᵀ·E)",
    "choice.rule.normalized": "normalized (mhadhara: w/Σ|w|)",
    "choice.rule.gradient": "gradient (back-propagation)",
    "choice.loss.squared_error": "kosa la mraba ½Σ(t−o)²",
    "choice.loss.mse": "wastani wa makosa ya mraba",
    "choice.loss.cross_entropy": "cross-entropy",
    "data.xor": "XOR", "data.gaussians": "Mafungu mawili ya Gauss", "data.circles": "Miduara", "data.spiral": "Spirali",
    "data.iris": "Iris (sifa mbili)",
    "data.lecture:split": "Mhadhara: 0.6 na 0.2 zinagawana kosa la 2.0",
    "data.lecture:book_2x2": "Mhadhara: mfano wa kitabu wa 2×2",
    lecture_note: "Mfano huu una ingizo moja na mtandao usiobadilika. Bonyeza “Hatua ya mfano mmoja” na usome makosa ya tabaka fiche; badilisha kanuni ya makosa, bonyeza Anza upya kisha piga hatua tena ili kulinganisha.",
    expired: "Kipindi kilikuwa kimekwisha; kipya kimeanzishwa.",
    no_points: "Mifano ya mhadhara ina ingizo moja tu: hakuna mchoro wa kubofya.",
    layer_hidden: "Tabaka {k}: tabaka fiche la {n}", layer_output: "Tabaka {k}: tabaka la matokeo",
    example_summary: "Mfano wa mafunzo {i}: ingizo I = {x}, lengo T = {t}; kanuni {rule}, kiwango cha kujifunza {lr}. Hasara kabla ya kusasisha: {loss}.",
    eq_input: "ingizo", eq_weights: "uzito", eq_combined: "ingizo lililojumlishwa", eq_output: "tokeo",
    eq_output_error: "kosa la tabaka la matokeo",
    eq_hidden_transpose: "kosa la tabaka fiche: makosa yanayorudishwa kupitia Wᵀ",
    eq_hidden_normalized: "kosa la tabaka fiche: kila kosa linagawanywa kwa uwiano wa w/Σ|w|",
    eq_hidden_gradient: "kosa la tabaka fiche: gradienti inayorudishwa kupitia Wᵀ",
    eq_delta: "kosa mara mteremko wa kitendakazi cha uamilisho", eq_update: "badiliko la uzito",
    eq_bias_update: "badiliko la upendeleo",
    "iris.0": "urefu wa sepali", "iris.1": "upana wa sepali", "iris.2": "urefu wa petali", "iris.3": "upana wa petali",
  },
};

export const LANGUAGES = Object.keys(TEXT);
let current = "en";

export function language() {
  return current;
}

/** The text of `key` in the current language, with {name} replaced from `values`. */
export function t(key, values = {}) {
  const text = TEXT[current][key] ?? TEXT.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in values ? String(values[name]) : `{${name}}`));
}

/** Switch the language and rewrite every labelled element. */
export function setLanguage(code) {
  current = TEXT[code] ? code : "en";
  document.documentElement.lang = current;
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n, JSON.parse(element.dataset.i18nValues || "{}"));
  }
  for (const element of document.querySelectorAll("[data-i18n-title]")) {
    element.title = t(element.dataset.i18nTitle);
  }
}

/** The language to start with: the one chosen before, else the browser's if we have it. */
export function initialLanguage() {
  let saved = null;
  try {
    saved = window.localStorage.getItem("akili-playground-language");
  } catch {
    saved = null;  // storage may be disabled: then nothing is remembered
  }
  if (saved && TEXT[saved]) return saved;
  const preferred = (navigator.language || "en").slice(0, 2);
  return TEXT[preferred] ? preferred : "en";
}

export function rememberLanguage(code) {
  try {
    window.localStorage.setItem("akili-playground-language", code);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
}
