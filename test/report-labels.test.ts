// The HTML report's widget bar chart makes room for its longest label: a long class name such as
// pygubu.builder.widgets.pathchooserinput must not start left of the SVG's edge (it was clipped).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LABEL_CHAR_PX, widgetSvg } from '../src/analytics/html-report.js';

/** 11px monospace: a character is 0.6em = 6.6px wide. */
const MONO_11PX = 6.6;

test('every label of the widget chart fits between the left edge and its bar', () => {
  const widgets = [
    { class: 'pygubu.builder.widgets.pathchooserinput', count: 3 },
    { class: 'ttk.Frame', count: 9 },
    { class: 'x'.repeat(80), count: 1 },
  ];
  const svg = widgetSvg(widgets);
  assert.ok(LABEL_CHAR_PX >= MONO_11PX);
  assert.match(svg, /svg|<g/);
  for (const w of widgets) {
    const m = new RegExp(`<text class="label" x="(\\d+)" y="\\d+" text-anchor="end">${w.class.replace(/\./g, '\\.')}</text>`).exec(svg);
    assert.ok(m, `label of ${w.class}`);
    const right = Number(m![1]);
    assert.ok(right - w.class.length * MONO_11PX >= 0, `${w.class} starts at ${right - w.class.length * MONO_11PX}px`);
  }
  const width = Number(/<svg id="widget-chart"[^>]* width="(\d+)"/.exec(svg)![1]);
  const rect = /<rect x="(\d+)"/.exec(svg)!;
  assert.ok(Number(rect[1]) < width);
});

test.run();
