// @ts-check
// The digits page's entry point: only wiring. Loads api/digits/config (the settings schema and
// every constant the page draws with) and the digits lessons, opens the session's websocket
// on this thread (digits frames are small), makes the page state, its screen and views, and
// draws the newest frame once per animation frame.
import { usePalette } from "../shared/colors.js";
import { createTrainTestChart } from "../page/chart.js";
import { element, notice } from "../page/dom.js";
import { CodeDialog } from "../page/exports.js";
import { Lessons } from "../page/lessons.js";
import { bindToolbar } from "../page/toolbar.js";
import { PageState } from "../shared/page_state.js";
import { DIGITS_SERVER_FIELDS, send, sessionUrl } from "../shared/protocol.js";
import { settingSpecs } from "../shared/schema.js";
import { Session } from "../worker/socket.js";
import { ConfusionView } from "./confusion_view.js";
import { DigitsFrameView } from "./frame_view.js";
import { serverHandlers } from "./messages.js";
import { DrawingPad, showPrediction } from "./pad.js";
import { DigitsScreen } from "./screen.js";
import { TestGrid } from "./test_grid.js";
import { WeightsView } from "./weights_view.js";

const counts = { frames: 0, drawn: 0 }; // read by tests, as the 2-D page's
Object.assign(window, { nnPlayground: counts });

/** GET `path` as JSON. @param {string} path */
async function load(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return response.json();
}

async function start() {
  const [config, { lessons }] = await Promise.all([load("api/digits/config"), load("api/digits/lessons")]);
  usePalette(config.palette);
  const { side, levels } = config.limits;
  const specs = settingSpecs(config.settings_schema);
  /** @type {Session | null} */
  let session = null;
  const state = new PageState(config.defaults, (message) => session?.post(message));
  const views = {
    confusion: new ConfusionView(/** @type {HTMLTableElement} */ (element("confusion"))),
    grid: new TestGrid(element("test-grid"), /** @type {HTMLInputElement} */ (element("misclassified-first")), side, levels),
    weights: new WeightsView(element("weights")),
    lossChart: createTrainTestChart(element("loss-chart"), "loss"),
    accuracyChart: createTrainTestChart(element("accuracy-chart"), "accuracy"),
  };
  /** @type {DigitsFrameView} */
  let frames;
  const screen = new DigitsScreen(state, config, specs, () => frames.clearHistory());
  frames = new DigitsFrameView(views, screen);
  const sendSide = Math.min(64, config.limits.max_drawing_side);
  const pad = new DrawingPad(/** @type {HTMLCanvasElement} */ (element("pad")), (n, pixels) => state.post(send.predict(n, pixels)), { sendSide, side, levels });
  element("clear-pad").addEventListener("click", () => {
    pad.clear();
    element("predictions").replaceChildren();
  });
  const lessonMenu = new Lessons(state, /** @type {any} */ (screen), lessons);
  // The script of the model whose pictures are shown. Not state.post: as on the 2-D page.
  const pictured = () => Number(/** @type {HTMLSelectElement} */ (element("picture-model")).value || 0);
  const codeDialog = new CodeDialog(/** @type {HTMLDialogElement} */ (element("code-dialog")), (format) => session?.post(send.export(format, pictured())));
  element("show-code").addEventListener("click", () => codeDialog.open());
  session = new Session(sessionUrl(window.location, "digits"), serverHandlers(state, screen, {
    lessons: lessonMenu,
    frames,
    confusion: views.confusion,
    grid: views.grid,
    onPrediction: (message) => showPrediction(/** @type {HTMLCanvasElement} */ (element("pad-image")), element("predictions"), /** @type {any} */ (message), screen.names(), { side, levels }),
    onNewModel: () => pad.send(),
    onCode: (message) => codeDialog.show(message),
  }), { fields: DIGITS_SERVER_FIELDS });
  bindToolbar(state, /** @type {Session} */ (session), /** @type {any} */ (screen));
  const draw = () => {
    const frame = session?.take();
    if (frame) {
      frames.show(frame);
      counts.frames = session?.framesReceived ?? 0;
      counts.drawn += 1;
    }
    requestAnimationFrame(draw);
  };
  requestAnimationFrame(draw);
}

start().catch((error) => notice(`The digits lab could not start: ${error instanceof Error ? error.message : String(error)}`));
