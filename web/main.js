// @ts-check
// Page entry point: only wiring. Loads the settings schema, starts the drawing worker (it
// holds the session's websocket and paints every frame), binds the controls and shows the
// numbers of each frame the worker painted.
import { drawActivation } from "./activation_plot.js";
import { createAccuracyChart, createGradientChart, createLossChart } from "./chart.js";
import { CompareView } from "./compare.js";
import { bindControls, showSettings } from "./controls.js";
import { legendStops } from "./colors.js";
import { bindPointsPanel, DataEditor } from "./data_editor.js";
import { bindDatasetPicker } from "./dataset_picker.js";
import { Drawing } from "./drawing.js";
import { FrameView } from "./frame_view.js";
import { LayerEditor } from "./layer_editor.js";
import { LessonView, hideControls, lessonSettings } from "./lessons.js";
import { CodeDialog, downloadBoundary, downloadWeights } from "./exports.js";
import { showLegend } from "./legend.js";
import { NetworkView } from "./network.js";
import { send } from "./protocol.js";
import { closedText, reconnectingText, RESTARTED } from "./reconnect.js";
import { settingSpecs } from "./schema.js";
import { sessionUrl } from "./socket.js";
import { decodeHash, encodeHash } from "./url_state.js";

// Frames received and painted, read by tests and the browser benchmark. A global, not a
// data- attribute: an attribute written at every frame cost the page a style pass each.
const counts = { frames: 0, drawn: 0 };
Object.assign(window, { nnPlayground: counts });

/** @param {string} id */
const element = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

async function start() {
  const [config, { lessons }] = await Promise.all(["api/config", "api/lessons"].map(async (path) => (await fetch(path)).json()));
  const specs = settingSpecs(config.settings_schema);
  const lossChart = createLossChart(element("loss-chart"));
  const accuracyChart = createAccuracyChart(element("accuracy-chart"));
  const gradientChart = createGradientChart(element("gradient-chart"));
  /** @type {{column: number, index: number, name: string} | null} the map shown large */
  let mapChoice = null;
  /** @type {Record<string, any>} */
  let settings = { ...config.defaults };
  let data = { problem: "binary", nOutputs: 1, train: [], test: [], targetLow: 0, targetHigh: 1 };
  let state = "idle";
  let speed = 1;
  /** @type {import("./protocol.js").ModelFrame | null} the model last drawn */
  let lastModel = null;
  /** @type {Record<string, unknown>} the settings the latest change replaced, as they were */
  const previous = {};
  let started = false; // a session was ready: a later `ready` restarts the run
  /** @type {{playing: boolean, points: Record<string, unknown> | null} | null} what the link
   *  does not hold of the run whose connection closed, sent again after the next `ready` */
  let restore = null;
  /** @type {Record<string, unknown> | null} the last points message (user points are not in links) */
  let lastPoints = null;
  let busyReason = "";

  const session = new Drawing(sessionUrl(), { side: config.limits.output_grid, neuronSide: config.limits.neuron_grid }, {
    onMessage(message) {
      if (message.type === "ready") {
        settings = message.settings;
        speed = message.epochs_per_frame;
        const restarted = restore;
        restore = null;
        started = true;
        if (restarted) view.restart(); // no curve mixes two sessions
        showState("idle"); // a new session waits for play
        applyLink(); // before anything rewrites the address bar's link
        if (restarted?.points) {
          settings = { ...settings, dataset: "custom" };
          session.post(restarted.points);
        }
        if (restarted?.playing) session.post(send.play());
        setSpeed(speed);
        display();
        plotActivation();
        if (restarted) notice(RESTARTED);
      } else if (message.type === "data") {
        data = { problem: message.problem, nOutputs: message.n_outputs, train: message.train, test: message.test, targetLow: message.target_low, targetHigh: message.target_high };
        document.body.dataset.points = String(data.train.length + data.test.length);
        showLegend(element("legend"), legendStops(data.problem, data.nOutputs, data.targetLow, data.targetHigh));
        element("accuracy-section").hidden = data.problem === "regression"; // no accuracy there
      } else if (message.type === "status") {
        showState(message.state, message.detail);
      } else if (message.type === "error") {
        notice(`Not applied: ${message.message}`);
        // Nothing of a refused change was applied: show the settings it changed as they were
        // (the error may name another field: the perceptron rule refused because of `hidden`).
        settings = { ...settings, ...previous };
        display();
        updateLink();
      } else if (message.type === "busy") {
        busyReason = message.reason ?? "";
      } else if (message.type === "code") {
        codeDialog.show(message);
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
    if (Object.keys(link.settings).length) {
      settings = { ...settings, ...link.settings };
      session.post(send.configure(link.settings));
    }
    const linkedSpeed = Number(link.extra.speed);
    if (Number.isInteger(linkedSpeed) && linkedSpeed >= 1 && linkedSpeed <= config.limits.max_epochs_per_frame) {
      setSpeed(linkedSpeed);
      session.post(send.speed(linkedSpeed));
    }
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

  /** @param {number} epochs */
  function setSpeed(epochs) {
    speed = epochs;
    /** @type {HTMLInputElement} */ (element("speed")).value = String(epochs);
    element("speed-value").textContent = String(epochs);
    updateLink();
  }

  /** @param {Record<string, unknown>} change */
  function configure(change) {
    notice("");
    const replacesWeights = Object.keys(change).some((name) => !config.effects.keep_weights.includes(name));
    for (const name of Object.keys(previous)) delete previous[name];
    for (const name of Object.keys(change)) previous[name] = settings[name];
    settings = { ...settings, ...change };
    display();
    updateLink();
    if ("activations" in change) plotActivation();
    if (replacesWeights) clearCharts();
    session.post(send.configure(change));
  }

  function clearCharts() {
    view.clearHistory();
  }

  const editor = new DataEditor(
    /** @type {HTMLCanvasElement} */ (element("boundary")),
    (message) => {
      clearCharts();
      settings = { ...settings, dataset: "custom" };
      lastPoints = message;
      display();
      updateLink();
      session.post(message);
    },
    notice,
  );
  bindPointsPanel(editor, () => data, config.limits.max_points);
  const pickDataset = bindDatasetPicker(element("dataset-picker"), /** @type {HTMLSelectElement} */ (document.querySelector('[data-param="dataset"]')));
  element("download-png").addEventListener("click", async () => downloadBoundary(await session.png()));
  element("download-weights").addEventListener("click", () => lastModel && downloadWeights(lastModel, settings));
  // In compare mode the script is that of the model whose gradients are shown.
  const exportedModel = () => (compare.models.length ? Number(/** @type {HTMLSelectElement} */ (element("gradient-model")).value) : 0);
  const codeDialog = new CodeDialog(/** @type {HTMLDialogElement} */ (element("code-dialog")), (format) => session.post(send.export(format, exportedModel())));
  element("show-code").addEventListener("click", () => codeDialog.open());
  const plotActivation = () => drawActivation(/** @type {HTMLCanvasElement} */ (element("activation-plot")), settings.activations?.[0] ?? "tanh");

  const compare = new CompareView(
    element("compare"),
    specs,
    (models) => {
      clearCharts();
      lossChart.setSeries(models.length ? compare.names() : [""]);
      accuracyChart.setSeries(models.length ? compare.names() : [""]);
      const choice = /** @type {HTMLSelectElement} */ (element("gradient-model"));
      choice.replaceChildren(...compare.names().map((name, i) => new Option(`${String.fromCharCode(65 + i)}: ${name}`, String(i))));
      element("gradient-model-choice").hidden = models.length === 0;
      view.traceGradients(0);
      session.post(send.compare(models));
      updateLink();
    },
    notice,
    (canvases) => session.compared(canvases),
  );
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
    configure(lessonSettings(config.defaults, lesson));
    compare.start(lesson.compare); // none: leaves compare mode
    setSpeed(lesson.epochs_per_frame);
    session.post(send.speed(lesson.epochs_per_frame));
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
  const layerEditor = new LayerEditor(element("layer-editor"), specs, configure);
  bindControls(document, specs, configure, (name, message) => notice(`${name.replace("_", " ")}: ${message}`));
  const togglePlay = () => {
    if (restore) {
      restore.playing = !restore.playing;
      element("play").textContent = restore.playing ? "Pause" : "Play";
    } else session.post(state === "running" ? send.pause() : send.play());
  };
  const step = () => session.post(send.step(1));
  const reset = () => {
    clearCharts();
    session.post(send.reset());
  };
  element("play").addEventListener("click", togglePlay);
  element("step").addEventListener("click", step);
  element("reset").addEventListener("click", reset);
  element("banner-reset").addEventListener("click", reset);
  element("reconnect").addEventListener("click", () => {
    showState("reconnecting", "Reconnecting…");
    session.retry();
  });
  element("lower-rate").addEventListener("click", () => configure({ learning_rate: Math.max(specs.learning_rate.minimum ?? 1e-5, Number((settings.learning_rate / 10).toPrecision(2))) }));
  element("regenerate").addEventListener("click", () => {
    clearCharts();
    session.post(send.regenerate());
  });
  element("speed").addEventListener("input", (event) => {
    const epochs = Number(/** @type {HTMLInputElement} */ (event.target).value);
    setSpeed(epochs);
    session.post(send.speed(epochs));
  });
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
