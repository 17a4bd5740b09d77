/**
 * The run-config form, generated from the config's JSON Schema (runConfigJsonSchema): one control
 * per property, typed by the schema (enum → select, boolean → checkbox, integer/number → number
 * input with its bounds, integer list → comma-separated text, nullable → empty means null), the
 * description as its hint. Values are checked by the same parser the CLI uses (parseRunConfig),
 * and a refused value shows that parser's message beside its field.
 */
type JsonSchema = {
  type?: string | string[]; enum?: unknown[]; const?: unknown; default?: unknown; description?: string;
  minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number;
  items?: JsonSchema; properties?: Record<string, JsonSchema>; anyOf?: JsonSchema[];
};

/** Sections shown, in order; model.kind switches the model's fields. Hidden: fields the page decides itself. */
const SECTIONS = ['model', 'optimizer', 'train', 'data'] as const;
const HIDDEN = new Set(['data.dataset', 'data.testDataset', 'data.labelColumn', 'data.header', 'data.limit', 'data.channels', 'data.imageSize', 'model.inputDim', 'train.threads', 'train.evalBatchSize', '$schema']);

export interface ConfigForm {
  /** The raw config object the fields describe now (not yet validated). */
  value(): Record<string, Record<string, unknown>>;
  /** Set fields from a config (e.g. one opened from a CLI run). */
  set(config: Record<string, Record<string, unknown>>): void;
  /** Show `message` (from the parser) at the field its path names, or at the form's foot. */
  showError(message: string | null): void;
}

export function buildForm(form: HTMLFormElement, schema: JsonSchema, onChange: () => void): ConfigForm {
  const variants = new Map<string, JsonSchema>();
  for (const v of schema.properties!.model!.anyOf ?? []) variants.set(String(v.properties!.kind!.const), v);
  let values: Record<string, Record<string, unknown>> = { model: { kind: 'dense' }, optimizer: {}, train: {}, data: {} };
  const errorBox = document.createElement('p');
  errorBox.className = 'error';
  errorBox.setAttribute('role', 'alert');
  errorBox.id = 'form-error';

  const render = () => {
    form.replaceChildren();
    for (const section of SECTIONS) {
      const fs = document.createElement('fieldset');
      const legend = document.createElement('legend');
      legend.textContent = section;
      fs.append(legend);
      const props = section === 'model' ? variants.get(String(values.model!.kind))!.properties! : schema.properties![section]!.properties!;
      if (section === 'model') fs.append(kindSelect());
      for (const [key, s] of Object.entries(props)) {
        if (key === 'kind' || HIDDEN.has(`${section}.${key}`)) continue;
        fs.append(control(section, key, s));
      }
      form.append(fs);
    }
    form.append(errorBox);
  };

  const kindSelect = () => {
    const label = wrap('model.kind', 'kind', 'the autoencoder variant');
    const sel = document.createElement('select');
    sel.id = 'f-model-kind';
    sel.name = 'model.kind';
    for (const [k, v] of variants) sel.append(new Option(`${k} — ${v.description?.replace(/^[a-z]+: /, '') ?? ''}`, k));
    sel.value = String(values.model!.kind);
    sel.onchange = () => {
      values.model = { kind: sel.value };
      render();
      onChange();
    };
    label.append(sel);
    return label;
  };

  const control = (section: string, key: string, s0: JsonSchema) => {
    const nullable = (s0.anyOf ?? []).some((a) => a.type === 'null');
    const s = s0.anyOf ? s0.anyOf.find((a) => a.type !== 'null') ?? s0 : s0;
    const path = `${section}.${key}`;
    const label = wrap(path, key, s0.description ?? s.description ?? '');
    const current = values[section]![key] ?? s0.default ?? s.default;
    let input: HTMLInputElement | HTMLSelectElement;
    let read: () => unknown;
    if (s.enum) {
      const sel = document.createElement('select');
      for (const v of s.enum) sel.append(new Option(String(v), String(v)));
      if (nullable) sel.prepend(new Option('(none)', ''));
      sel.value = current === null || current === undefined ? '' : String(current);
      input = sel;
      read = () => (sel.value === '' && nullable ? null : typeof s.enum![0] === 'number' ? Number(sel.value) : sel.value);
    } else if (s.type === 'boolean') {
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = current === true;
      input = box;
      read = () => box.checked;
    } else if (s.type === 'integer' || s.type === 'number') {
      const num = document.createElement('input');
      num.type = 'number';
      if (s.minimum !== undefined) num.min = String(s.minimum);
      if (s.maximum !== undefined && s.maximum < 1e15) num.max = String(s.maximum);
      num.step = s.type === 'integer' ? '1' : 'any';
      num.value = current === null || current === undefined ? '' : String(current);
      input = num;
      read = () => (num.value.trim() === '' ? (nullable ? null : NaN) : Number(num.value));
    } else {
      const text = document.createElement('input');
      text.type = 'text';
      const isList = s.type === 'array';
      text.value = current === null || current === undefined ? '' : Array.isArray(current) ? current.join(', ') : String(current);
      if (isList) text.placeholder = 'comma-separated';
      input = text;
      read = () => {
        const t = text.value.trim();
        if (t === '' && nullable) return null;
        if (!isList) return t;
        if (t === '') return [];
        return t.split(',').map((p) => (s.items?.type === 'integer' || s.items?.type === 'number' ? (p.trim() === '' ? NaN : Number(p)) : p.trim()));
      };
    }
    input.id = `f-${section}-${key}`;
    input.name = path;
    input.addEventListener('change', () => {
      values[section]![key] = read();
      onChange();
    });
    label.append(input);
    return label;
  };

  render();
  return {
    value: () => structuredClone(values),
    set(config) {
      values = { model: { ...config.model }, optimizer: { ...config.optimizer }, train: { ...config.train }, data: { ...config.data } };
      delete values.model!.inputDim;
      render();
    },
    showError(message) {
      for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
      for (const el of form.querySelectorAll('.field-error')) el.remove();
      errorBox.textContent = message ?? '';
      if (message === null) return;
      const path = /^(model|optimizer|train|data)\.([A-Za-z]+)/.exec(message);
      const input = path ? form.querySelector<HTMLElement>(`[name="${path[1]}.${path[2]}"]`) : null;
      if (!input) return;
      input.setAttribute('aria-invalid', 'true');
      const note = document.createElement('span');
      note.className = 'field-error';
      note.textContent = message;
      input.after(note);
    },
  };
}

function wrap(path: string, name: string, help: string): HTMLLabelElement {
  const label = document.createElement('label');
  label.className = 'field';
  label.title = help;
  const span = document.createElement('span');
  span.textContent = name;
  label.append(span);
  label.dataset.path = path;
  return label;
}
