// @ts-check
// Page entry point: only wiring. Loads api/config (the settings schema, every constant the page
// draws with), the lessons and activation curves, starts the drawing worker (it holds the
// websocket and paints every frame), makes the page state and its screen, binds the rest.
import { usePalette } from "../shared/colors.js";
import { notice } from "./dom.js";
import { Drawing } from "./drawing.js";
import { bindExports } from "./exports.js";
import { Lessons } from "./lessons.js";
import { PageState } from "../shared/page_state.js";
import { sessionUrl } from "../shared/protocol.js";
import { settingSpecs } from "../shared/schema.js";
import { Screen } from "./screen.js";
import { bindServerMessages } from "./server_messages.js";
import { StepView } from "./step_view.js";
import { bindToolbar } from "./toolbar.js";

async function start() {
  const paths = ["api/config", "api/lessons", "api/activations"];
  const [config, { lessons }, activationCurves] = await Promise.all(paths.map(async (path) => (await fetch(path)).json()));
  usePalette(config.palette);
  const { output_grid: side, neuron_grid: neuronSide, domain } = config.limits;
  const session = new Drawing(sessionUrl(), { side, neuronSide, domain, palette: config.palette });
  const state = new PageState(config.defaults, (message) => session.post(message));
  const screen = new Screen(state, session, config, settingSpecs(config.settings_schema), activationCurves);
  const codeDialog = bindExports(session, state);
  bindToolbar(state, session, screen);
  const stepView = new StepView(state, screen, domain);
  bindServerMessages(session, state, screen, { codeDialog, lessons: new Lessons(state, screen, lessons), stepView });
}

start().catch((error) => notice(`The playground could not start: ${error instanceof Error ? error.message : String(error)}`));
