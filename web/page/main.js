// @ts-check
// Page entry point: only wiring. Loads GET api/config (the settings schema and every constant
// the page draws with) before anything is built, starts the drawing worker (it holds the
// session's websocket and paints every frame), binds the controls, shows the settings the
// server answers with (never its own guess of them) and the numbers of each painted frame.
import { drawActivation } from "./activation_plot.js";
import { Answers, trainedAs } from "../shared/answers.js";
import { createAccuracyChart, createGradientChart, createLossChart } from "./chart.js";
import { CompareView, variantSettings } from "./compare.js";
import { bindControls, showSettings } from "./controls.js";
import { legendStops, usePalette } from "../shared/colors.js";
import { bindPointsPanel, DataEditor } from "./data_editor.js";
import { bindDatasetPicker } from "./dataset_picker.js";
import { Drawing } from "./drawing.js";
import { FrameView } from "./frame_view.js";
import { LayerEditor } from "./layer_editor.js";
import { LessonView, hideControls } from "./lessons.js";
import { CodeDialog, downloadBoundary, downloadWeights } from "./exports.js";
import { showLegend } from "./legend.js";
import { NetworkView } from "./network.js";
import { send } from "../shared/protocol.js";
import { closedText, reconnectingText, RESTARTED } from "../shared/reconnect.js";
import { settingSpecs } from "../shared/schema.js";
import { sessionUrl } from "../shared/protocol.js";
import { decodeHash, encodeHash } from "../shared/url_state.js";

// Frames received and painted, read by tests and the browser benchmark. A global, not a
// data- attribute: an attribute written at every frame cost the page a style pass each.
const counts = { frames: 0, drawn: 0 };
Object.assign(window, { nnPlayground: counts });

/** @param {string} id */
const element = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

async function start() {
  const paths = ["api/config", "api/lessons", "api/activations"];
  const [config, { lessons }, activationCurves] = await Promise.all(paths.map(async (path) => (await fetch(path)).json()));
  usePalette(config.palette);
  const specs = settingSpecs(config.settings_schema);
  const lossChart = createLossChart(element("loss-chart"));
  const accuracyChart = createAccuracyChart(element("accuracy-chart"));
  const gradientChart = createGradientChart(element("gradient-chart"));
  /** @type {{column: number, index: number, name: string} | null} the map shown large */
  let mapChoice = null;
  /** @type {Record<string, any>} the settings the server applied, as it last said */
  let settings = { ...config.defaults };
  const answers = new Answers(); // client messages the server has not answered yet
  let data = { problem: "binary", nOutputs: 1, train: [], test: [], targetLow: 0, targetHigh: 1 };
  let state = "idle";
  let speed = 1;
  /** @type {import("../shared/protocol.js").ModelFrame | null} the model last drawn */
  let lastModel = null;
  let started = false; // a session was ready: a later `ready` restarts the run
  /** @type {{playing: boolean, points: Record<string, unknown> | null} | null} what the link
   *  does not hold of the run whose connection closed, sent again after the next `ready` */
  let restore = null;
  /** @type {Record<string, unknown> | null} the last points message (user points are not in links) */
  let lastPoints = null;
  let busyReason = "";

  const { output_grid: side, neuron_grid: neuronSide, domain } = config.limits;
  const session = new Drawing(sessionUrl(), { side, neuronSide, domain, palette: config.palette }, {
    onMessage(message) {
      if (message.type === "ready") {
        settings = message.settings;
        answers.restart();
        const restarted = restore;
        restore = null;
        started = true;
        if (restarted) view.restart(); // no curve mixes two sessions
        if (compare.accept([])) showComparison();
        showState("idle"); // a new session waits for play
        showSpeed(message.epochs_per_frame);
        element("trained-as").textContent = trainedAs(message.models);
        display();
        plotActivation();
        applyLink(); // the address bar's link changes only with the server's answer to it
        if (restarted?.points) post(restarted.points);
        if (restarted?.playing) post(send.play());
        if (restarted) notice(RESTARTED);
      } else if (message.type === "settings") {
        accept(/** @type {import("../shared/protocol.js").AppliedSettings} */ (message));
      } else if (message.type === "data") {
        data = { problem: message.problem, nOutputs: message.n_outputs, train: message.train, test: message.test, targetLow: message.target_low, targetHigh: message.target_high };
        document.body.dataset.points = String(data.train.length + data.test.length);
        showLegend(element("legend"), legendStops(data.problem, data.nOutputs, data.targetLow, data.targetHigh));
        element("accuracy-section").hidden = data.problem === "regression"; // no accuracy there
      } else if (message.type === "status") {
        showState(message.state, message.detail);
      } else if (message.type === "error") {
        // The `settings` answer that follows shows what stayed in effect.
        notice(`Not applied: ${message.message}`);
      } else if (message.type === "busy") {
        busyReason = /** @type {import("../shared/protocol.js").Busy} */ (message).reason;
      } else if (message.type === "code") {
        codeDialog.show(/** @type {import("../shared/protocol.js").Code} */ (message));
      }
    },
    onReconnecting(reconnecting) {
      keepRun();
      showState("reconnecting", reconnectingText(reconnecting));
    },
    onClose(closed) {
      keepRun();
      const { text, button } = closedText(closed, busyReason);
      element("reconnect").textContent = button;
      showState(closed.action === "busy" ? "busy" : "closed", text);
      busyReason = "";
    },
    onShown(frames, received, drawn) {
      lastModel = view.show(frames);
      counts.frames = received;
      counts.drawn = drawn;
    },
    onFailure(text) {
      notice(`Drawing failed: ${text}`);
    },
  });
  session.boundary(/** @type {HTMLCanvasElement} */ (element("boundary")));
  const network = new NetworkView(
    element("network"),
    (selected) => {
      mapChoice = selected;
      element("picture-caption").textContent = selected ? `Showing ${selected.name}: choose it again for the output.` : "";
      paintOptions();
    },
    (canvas) => session.network(canvas),
    (layout) => session.layout(layout),
  );
  /** The view options the worker paints with. */
  function paintOptions() {
    session.options({
      discretize: /** @type {HTMLInputElement} */ (element("discretize")).checked,
      showTest: /** @type {HTMLInputElement} */ (element("show-test")).checked,
      output: null,
      map: mapChoice,
    });
  }

  /** @param {Record<string, unknown>} message one of protocol.send's: the server answers it */
  function post(message) {
    answers.sent();
    session.post(message);
  }

  /**
   * The server's answer to a client message: the settings it applied. Shown once it answers
   * the latest message, so a control being moved is not pulled back to an older answer.
   * @param {import("../shared/protocol.js").AppliedSettings} applied
   */
  function accept(applied) {
    settings = applied.settings;
    if (compare.accept(applied.compare)) showComparison();
    if (!answers.answered()) return;
    showSpeed(applied.epochs_per_frame);
    display();
    plotActivation();
    element("trained-as").textContent = trainedAs(applied.models);
    updateLink();
  }

  /** Keeps what the link does not hold of a run whose connection just closed. */
  function keepRun() {
    if (!started || restore) return;
    restore = { playing: state === "running", points: settings.dataset === "custom" ? lastPoints : null };
  }

  /** The settings and speed of the page's link (a shared run), sent as one change. */
  function applyLink() {
    const link = decodeHash(window.location.hash, specs);
    // A lesson first: the link's settings are the run as it was, the lesson's included.
    const linkedLesson = link.extra.lesson ? lessonView.find(link.extra.lesson) : undefined;
    if (linkedLesson) openLesson(linkedLesson);
    else if (link.extra.lesson) notice(`This link's lesson "${link.extra.lesson}" is not one of this server's lessons.`);
    if (link.extra.classroom === "1" && linkedLesson) setClassroom(true);
    if (link.rejected.length) notice(`This link's ${link.rejected.join(", ")} could not be used: out of range or unknown.`);
    if (Object.keys(link.settings).length) post(send.configure(link.settings));
    const linkedSpeed = Number(link.extra.speed);
    if (link.extra.speed !== undefined && Number.isFinite(linkedSpeed)) post(send.speed(linkedSpeed));
    if (link.extra.compare) {
      try {
        const models = JSON.parse(link.extra.compare);
        if (Array.isArray(models)) compare.start(models); // the server checks each entry
      } catch {
        notice("This link's comparison could not be read.");
      }
    }
  }

  /** Shows the settings in every control. */
  function display() {
    showSettings(document, specs, settings);
    layerEditor.show(settings);
    pickDataset(settings.dataset);
  }

  /** Keeps the address bar's link equal to the run on screen. */
  function updateLink() {
    const { dataset, ...rest } = settings;
    const shown = dataset === "custom" ? rest : settings; // user points are not in links
    /** @type {Record<string, string | number>} */
    const extra = {};
    if (speed !== 1) extra.speed = speed;
    if (compare.models.length) extra.compare = JSON.stringify(compare.models);
    if (lessonView.current) extra.lesson = lessonView.current.id;
    if (lessonView.current && classroom) extra.classroom = 1;
    const hash = encodeHash(shown, config.defaults, extra);
    window.history.replaceState(null, "", hash ? `#${hash}` : window.location.pathname);
  }

  /** @param {string} text */
  function notice(text) {
    element("notice").textContent = text;
  }

  /** @param {string} newState @param {string} [detail] */
  function showState(newState, detail = "") {
    state = newState;
    const disconnected = newState === "reconnecting" || newState === "closed" || newState === "busy";
    element("state").textContent = newState.replace("_", " ");
    // While disconnected the button shows, and toggles, whether the next session will play.
    element("play").textContent = newState === "running" || (disconnected && restore?.playing) ? "Pause" : "Play";
    const banner = element("banner");
    banner.hidden = !(disconnected || newState === "diverged" || newState === "stopped_early");
    element("banner-text").textContent = detail;
    element("lower-rate").hidden = newState !== "diverged";
    element("banner-reset").hidden = disconnected;
    element("reconnect").hidden = newState !== "closed" && newState !== "busy";
    banner.classList.toggle("warning", disconnected || newState === "diverged");
    if ((document.body.dataset.connection === "lost") !== disconnected) document.body.dataset.connection = disconnected ? "lost" : "open";
  }

  /** @param {number} epochs the server's epochs per frame */
  function showSpeed(epochs) {
    speed = epochs;
    /** @type {HTMLInputElement} */ (element("speed")).value = String(epochs);
    element("speed-value").textContent = String(epochs);
  }

  /** @param {Record<string, unknown>} change */
  function configure(change) {
    notice("");
    const replacesWeights = Object.keys(change).some((name) => !config.effects.keep_weights.includes(name));
    if (replacesWeights) clearCharts();
    post(send.configure(change));
  }

  function clearCharts() {
    view.clearHistory();
  }

  const editor = new DataEditor(
    /** @type {HTMLCanvasElement} */ (element("boundary")),
    (message) => {
      clearCharts();
      lastPoints = message;
      post(message);
    },
    notice,
    config.limits,
  );
  bindPointsPanel(editor, () => data);
  const pickDataset = bindDatasetPicker(element("dataset-picker"), /** @type {HTMLSelectElement} */ (document.querySelector('[data-param="dataset"]')));
  element("download-png").addEventListener("click", async () => downloadBoundary(await session.png()));
  element("download-weights").addEventListener("click", () => lastModel && downloadWeights(lastModel, settings));
  // In compare mode the script is that of the model whose gradients are shown.
  const exportedModel = () => (compare.models.length ? Number(/** @type {HTMLSelectElement} */ (element("gradient-model")).value) : 0);
  const codeDialog = new CodeDialog(/** @type {HTMLDialogElement} */ (element("code-dialog")), (format) => session.post(send.export(format, exportedModel())));
  element("show-code").addEventListener("click", () => codeDialog.open());
  const plotActivation = () => drawActivation(/** @type {HTMLCanvasElement} */ (element("activation-plot")), activationCurves, settings.activations[0]);

  const compare = new CompareView(
    element("compare"),
    specs,
    variantSettings(specs, config.effects.regenerate),
    (models) => post(send.compare(models)),
    notice,
    (canvases) => session.compared(canvases),
  );
  /** The charts and the gradient choice for the comparison the server accepted. */
  function showComparison() {
    const names = compare.models.length ? compare.names() : [""];
    clearCharts();
    lossChart.setSeries(names);
    accuracyChart.setSeries(names);
    const choice = /** @type {HTMLSelectElement} */ (element("gradient-model"));
    choice.replaceChildren(...compare.names().map((name, i) => new Option(`${String.fromCharCode(65 + i)}: ${name}`, String(i))));
    element("gradient-model-choice").hidden = compare.models.length === 0;
    view.traceGradients(0);
  }
  const view = new FrameView({ network, compare, lossChart, accuracyChart, gradientChart }, element);

  let classroom = false;
  /** @param {boolean} on hide the controls the lesson does not need */
  function setClassroom(on) {
    classroom = on && Boolean(lessonView.current);
    lessonView.classroom.checked = classroom;
    hideControls(document, lessonView.current?.hidden_controls ?? [], classroom);
    updateLink();
  }
  /** @param {import("./lessons.js").Lesson} lesson */
  function openLesson(lesson) {
    lessonView.show(lesson);
    configure(lesson.whole_settings);
    compare.start(lesson.compare); // none: leaves compare mode
    post(send.speed(lesson.epochs_per_frame));
    setClassroom(classroom);
  }
  const lessonView = new LessonView(/** @type {HTMLSelectElement} */ (element("lesson-menu")), element("lesson-panel"), lessons, {
    open: openLesson,
    leave() {
      lessonView.show(null);
      setClassroom(false);
    },
    change: configure,
    classroom: setClassroom,
  });
  const layerEditor = new LayerEditor(element("layer-editor"), specs, config.defaults.hidden[0], configure);
  bindControls(document, specs, configure, (name, message) => {
    notice(`${name.replace("_", " ")}: ${message}`);
    display(); // the controls show the settings in effect again
  });
  const speedControl = /** @type {HTMLInputElement} */ (element("speed"));
  speedControl.max = String(config.limits.max_epochs_per_frame);
  const togglePlay = () => {
    if (restore) {
      restore.playing = !restore.playing;
      element("play").textContent = restore.playing ? "Pause" : "Play";
    } else post(state === "running" ? send.pause() : send.play());
  };
  const step = () => post(send.step(1));
  const reset = () => {
    clearCharts();
    post(send.reset());
  };
  element("play").addEventListener("click", togglePlay);
  element("step").addEventListener("click", step);
  element("reset").addEventListener("click", reset);
  element("banner-reset").addEventListener("click", reset);
  element("reconnect").addEventListener("click", () => {
    showState("reconnecting", "Reconnecting…");
    session.retry();
  });
  element("lower-rate").addEventListener("click", () => configure({ learning_rate: Math.max(Number(specs.learning_rate.minimum), Number((settings.learning_rate / 10).toPrecision(2))) }));
  element("regenerate").addEventListener("click", () => {
    clearCharts();
    post(send.regenerate());
  });
  speedControl.addEventListener("input", () => post(send.speed(Number(speedControl.value))));
  element("share").addEventListener("click", async () => {
    updateLink();
    try {
      await navigator.clipboard.writeText(window.location.href);
      notice("Link copied: it opens this run, seed included.");
    } catch {
      notice(`Copy this link: ${window.location.href}`);
    }
  });
  element("gradient-model").addEventListener("change", (event) => view.traceGradients(Number(/** @type {HTMLSelectElement} */ (event.target).value)));
  element("log-scale").addEventListener("change", (event) => lossChart.setLogScale(/** @type {HTMLInputElement} */ (event.target).checked));
  document.addEventListener("keydown", (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    if (target.closest("input, select, textarea, button")) return;
    if (event.key === " ") togglePlay();
    else if (event.key === "s") step();
    else if (event.key === "r") reset();
    else return;
    event.preventDefault();
  });

  for (const id of ["discretize", "show-test"]) element(id).addEventListener("change", paintOptions);
}

start().catch((error) => {
  const text = error instanceof Error ? error.message : String(error);
  /** @type {HTMLElement} */ (document.getElementById("notice")).textContent = `The playground could not start: ${text}`;
});
