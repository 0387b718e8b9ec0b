// @ts-check
// The Lessons menu and panel: each lesson (GET api/lessons) is a ready-made experiment with a
// few sentences on what to look at. Opening one is left to the caller (it sends the lesson's
// whole settings as the server serves them, the comparison and the speed); classroom mode
// hides the controls a lesson lists as distractions. DOM only.

/**
 * @typedef {{id: string, title: string, explanation: string[], settings: Record<string, unknown>,
 *   whole_settings: Record<string, unknown>, compare: Record<string, unknown>[],
 *   try_next: Record<string, unknown> | null, epochs_per_frame: number,
 *   hidden_controls: string[]}} Lesson `whole_settings`: the defaults updated by `settings`
 *   (never the learner's settings, so a lesson always starts from the same place)
 */

export class LessonView {
  /**
   * @param {HTMLSelectElement} menu @param {HTMLElement} panel
   * @param {Lesson[]} lessons in teaching order
   * @param {{open: (lesson: Lesson) => void, leave: () => void,
   *   change: (change: Record<string, unknown>) => void, classroom: (on: boolean) => void}} actions
   */
  constructor(menu, panel, lessons, actions) {
    this.menu = menu;
    this.panel = panel;
    this.lessons = lessons;
    /** @type {Lesson | null} */
    this.current = null;
    this.classroom = /** @type {HTMLInputElement} */ (panel.querySelector("#classroom"));
    this.tryNext = /** @type {HTMLButtonElement} */ (panel.querySelector('[data-action="try-next"]'));
    lessons.forEach((lesson, i) => menu.add(new Option(`${i + 1}. ${lesson.title}`, lesson.id)));
    menu.addEventListener("change", () => {
      const lesson = this.find(menu.value);
      if (lesson) actions.open(lesson);
      else actions.leave();
    });
    this.tryNext.addEventListener("click", () => this.current?.try_next && actions.change(this.current.try_next));
    this.classroom.addEventListener("change", () => actions.classroom(this.classroom.checked));
    panel.querySelector('[data-action="leave"]')?.addEventListener("click", () => actions.leave());
  }

  /** @param {string} id @returns {Lesson | undefined} */
  find(id) {
    return this.lessons.find((lesson) => lesson.id === id);
  }

  /** Shows `lesson`'s title and sentences (null: no lesson). @param {Lesson | null} lesson */
  show(lesson) {
    this.current = lesson;
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
