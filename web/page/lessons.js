// @ts-check
// The Lessons menu and panel: each lesson (GET api/lessons) is a ready-made experiment with a
// few sentences on what to look at. Opening one sends the lesson's whole settings as the
// server serves them, the comparison and the speed; classroom mode hides the controls a
// lesson lists as distractions. The lesson open is the page state's.
import { element } from "./dom.js";
import { updateLink } from "./link.js";
import { send } from "../shared/protocol.js";

/** @typedef {import("../shared/page_state.js").Lesson} Lesson */
/** @typedef {{find: (id: string) => Lesson | undefined, open: (lesson: Lesson) => void, setClassroom: (on: boolean) => void}} Lessons */

export class LessonView {
  /**
   * @param {HTMLSelectElement} menu @param {HTMLElement} panel
   * @param {Lesson[]} lessons in teaching order
   * @param {{open: (lesson: Lesson) => void, leave: () => void, tryNext: () => void,
   *   classroom: (on: boolean) => void}} actions
   */
  constructor(menu, panel, lessons, actions) {
    this.menu = menu;
    this.panel = panel;
    this.lessons = lessons;
    this.classroom = /** @type {HTMLInputElement} */ (panel.querySelector("#classroom"));
    this.tryNext = /** @type {HTMLButtonElement} */ (panel.querySelector('[data-action="try-next"]'));
    lessons.forEach((lesson, i) => menu.add(new Option(`${i + 1}. ${lesson.title}`, lesson.id)));
    menu.addEventListener("change", () => {
      const lesson = this.find(menu.value);
      if (lesson) actions.open(lesson);
      else actions.leave();
    });
    this.tryNext.addEventListener("click", actions.tryNext);
    this.classroom.addEventListener("change", () => actions.classroom(this.classroom.checked));
    panel.querySelector('[data-action="leave"]')?.addEventListener("click", () => actions.leave());
  }

  /** @param {string} id @returns {Lesson | undefined} */
  find(id) {
    return this.lessons.find((lesson) => lesson.id === id);
  }

  /** Shows `lesson`'s title and sentences (null: no lesson). @param {Lesson | null} lesson */
  show(lesson) {
    this.menu.value = lesson?.id ?? "";
    this.panel.hidden = !lesson;
    if (!lesson) return;
    /** @type {HTMLElement} */ (this.panel.querySelector("h2")).textContent = lesson.title;
    const text = /** @type {HTMLElement} */ (this.panel.querySelector(".lesson-text"));
    text.replaceChildren(...lesson.explanation.map((sentence) => Object.assign(document.createElement("p"), { textContent: sentence })));
    this.tryNext.hidden = !lesson.try_next;
  }
}

/**
 * Wires the lesson menu and panel to the page state and the screen (for its settings changes).
 * @param {import("../shared/page_state.js").PageState} state @param {import("./screen.js").Screen} screen
 * @param {Lesson[]} lessons @returns {Lessons}
 */
export function bindLessons(state, screen, lessons) {
  /** @param {boolean} on hide the controls the lesson does not need */
  const setClassroom = (on) => {
    state.classroom = on && Boolean(state.lesson);
    view.classroom.checked = state.classroom;
    hideControls(document, state.lesson?.hidden_controls ?? [], state.classroom);
    updateLink(state);
  };
  /** @param {Lesson | null} lesson */
  const show = (lesson) => {
    state.lesson = lesson;
    view.show(lesson);
  };
  /** @param {Lesson} lesson */
  const open = (lesson) => {
    show(lesson);
    screen.configure(lesson.whole_settings);
    state.post(send.compare(lesson.compare)); // none: leaves compare mode
    state.post(send.speed(lesson.epochs_per_frame));
    setClassroom(state.classroom);
  };
  const menu = /** @type {HTMLSelectElement} */ (element("lesson-menu"));
  const view = new LessonView(menu, element("lesson-panel"), lessons, {
    open,
    leave() {
      show(null);
      setClassroom(false);
    },
    tryNext: () => state.lesson?.try_next && screen.configure(state.lesson.try_next),
    classroom: setClassroom,
  });
  return { find: (id) => view.find(id), open, setClassroom };
}

/**
 * Hides (or shows again) the controls of these settings: each control's label or fieldset,
 * and anything marked data-controls="name" (the layer editor for `hidden`, the previews for
 * `dataset`). A class, not the `hidden` attribute: controls.js hides parameters of choices
 * not made (Adam's betas under SGD) with that, and each reason must hold on its own.
 * @param {ParentNode} root @param {string[]} names @param {boolean} hide
 */
export function hideControls(root, names, hide) {
  for (const element of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll("[data-param], [data-controls]"))) {
    const name = element.dataset.param ?? element.dataset.controls ?? "";
    const target = element.dataset.param ? /** @type {HTMLElement} */ (element.closest("fieldset, label") ?? element) : element;
    target.classList.toggle("classroom-hidden", hide && names.includes(name));
  }
}
