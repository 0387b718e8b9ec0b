// @ts-check
// The Lessons menu and panel: each lesson (GET api/lessons) is a ready-made experiment with a
// few sentences on what to look at, opened with its whole settings, comparison and speed;
// classroom mode hides the controls it lists as distractions. The open one is the state's.
import { element, make } from "./dom.js";
import { updateLink } from "./link.js";
import { send } from "../shared/protocol.js";

/** @typedef {import("../shared/page_state.js").Lesson} Lesson */

export class Lessons {
  /**
   * @param {import("../shared/page_state.js").PageState} state holds the lesson open
   * @param {import("./screen.js").Screen} screen sends a lesson's settings @param {Lesson[]} lessons in teaching order
   */
  constructor(state, screen, lessons) {
    this.state = state;
    this.screen = screen;
    this.lessons = lessons;
    this.menu = /** @type {HTMLSelectElement} */ (element("lesson-menu"));
    this.panel = element("lesson-panel");
    this.classroom = /** @type {HTMLInputElement} */ (element("classroom"));
    this.tryNext = /** @type {HTMLButtonElement} */ (this.panel.querySelector('[data-action="try-next"]'));
    lessons.forEach((lesson, i) => this.menu.add(new Option(`${i + 1}. ${lesson.title}`, lesson.id)));
    this.menu.addEventListener("change", () => {
      const lesson = this.find(this.menu.value);
      if (lesson) this.open(lesson);
      else this.leave();
    });
    this.tryNext.addEventListener("click", () => state.lesson?.try_next && screen.configure(state.lesson.try_next));
    this.classroom.addEventListener("change", () => this.setClassroom(this.classroom.checked));
    this.panel.querySelector('[data-action="leave"]')?.addEventListener("click", () => this.leave());
  }

  /** @param {string} id @returns {Lesson | undefined} */
  find(id) {
    return this.lessons.find((lesson) => lesson.id === id);
  }

  /** @param {Lesson} lesson */
  open(lesson) {
    this.show(lesson);
    this.screen.configure(lesson.whole_settings);
    this.state.post(send.compare(lesson.compare)); // none: leaves compare mode
    this.state.post(send.speed(lesson.epochs_per_frame));
    this.setClassroom(this.state.classroom);
  }

  leave() {
    this.show(null);
    this.setClassroom(false);
  }

  /** @param {boolean} on hide the controls the lesson does not need */
  setClassroom(on) {
    const state = this.state;
    state.classroom = on && Boolean(state.lesson);
    this.classroom.checked = state.classroom;
    hideControls(document, state.lesson?.hidden_controls ?? [], state.classroom);
    updateLink(state);
  }

  /** Shows `lesson`'s title and sentences (null: no lesson). @param {Lesson | null} lesson */
  show(lesson) {
    this.state.lesson = lesson;
    this.menu.value = lesson?.id ?? "";
    this.panel.hidden = !lesson;
    if (!lesson) return;
    /** @type {HTMLElement} */ (this.panel.querySelector("h2")).textContent = lesson.title;
    const text = /** @type {HTMLElement} */ (this.panel.querySelector(".lesson-text"));
    text.replaceChildren(...lesson.explanation.map((sentence) => make("p", { textContent: sentence })));
    this.tryNext.hidden = !lesson.try_next;
  }
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
