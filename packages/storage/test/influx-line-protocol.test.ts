// Table-driven tests of the pure line protocol and InfluxQL text builders (the server round trip is in influx-schema).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRetryAfter } from '../src/influx/http';
import { exactRegex, fieldEquals, ident, stringLiteral, tagEquals, tagIn, timeLiteral } from '../src/influx/influxql';
import {
  decodeTagText,
  encodeTagText,
  escapeKey,
  escapeMeasurement,
  escapeTagValue,
  eventLine,
  formatFloat,
  formatTime,
  pointLine,
  quoteString,
  statisticsLine,
} from '../src/influx/line-protocol';
import { namedRejections } from '../src/influx/write-lines';
import { event } from './pipeline-helpers';

describe('line protocol escaping', () => {
  const tagValues: Array<[string, string]> = [
    ['plain', 'plain'],
    ['a b', 'a\\ b'],
    ['a,b=c', 'a\\,b\\=c'],
    ['ends with \\', 'ends\\ with\\ \\x5c'],
    ['back\\slash', 'back\\x5cslash'],
    ['line\nbreak', 'line\\nbreak'],
    ['cr\r\nlf', 'cr\\r\\nlf'],
    ['literal \\n text', 'literal\\ \\x5cn\\ text'],
    ['°C µg/m³ 🏠', '°C\\ µg/m³\\ 🏠'],
    ['"quotes" \'single\'', '"quotes"\\ \'single\''],
  ];
  for (const [value, expected] of tagValues) {
    test(`tag value ${JSON.stringify(value)}`, () => {
      assert.equal(escapeTagValue(value), expected);
      assert.equal(decodeTagText(encodeTagText(value)), value, 'the encoding is reversible');
      assert.ok(!/[\n\r]/.test(encodeTagText(value)) && !encodeTagText(value).endsWith('\\'));
    });
  }

  const strings: Array<[string, string]> = [
    ['plain', '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['c:\\dir\\', '"c:\\\\dir\\\\"'],
    ['multi\nline', '"multi\nline"'],
    ['', '""'],
  ];
  for (const [value, expected] of strings) {
    test(`string field ${JSON.stringify(value)}`, () => assert.equal(quoteString(value), expected));
  }

  test('keys and measurements', () => {
    assert.equal(escapeKey('a b,c=d'), 'a\\ b\\,c\\=d');
    assert.equal(escapeMeasurement('my m,x=y'), 'my\\ m\\,x=y');
  });

  const floats: Array<[number, string | undefined]> = [
    [1, '1'],
    [-0.5, '-0.5'],
    [1e21, '1e+21'],
    [5e-324, '5e-324'],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
  ];
  const times: Array<[number, string]> = [
    [1_700_000_000_000_001, '1700000000000001'],
    [1_700_000_000_100_000, '1700000000100000'],
    [123_456_789.6, '123456790'],
    [99_999_999, '99999999'],
    [100_000_000, '100000000'],
    [0, '0'],
    [-5, '-5'],
  ];
  for (const [us, expected] of times) {
    test(`time ${us}`, () => assert.equal(formatTime(us), expected));
  }

  for (const [n, expected] of floats) {
    test(`float ${n} has no integer suffix`, () => assert.equal(formatFloat(n), expected));
  }
});

describe('event lines', () => {
  test('a numeric state: value is a float, tags sorted and omitted when unknown', () => {
    const e = event(1, { state: '21', attributes: { unit_of_measurement: '°C', device_class: 'temperature' } });
    assert.equal(
      eventLine(e),
      'home_assistant_events,device_class=temperature,domain=sensor,entity_id=sensor.s1,unit_of_measurement=°C ' +
        'state="21",value=21,attributes="{\\"unit_of_measurement\\":\\"°C\\",\\"device_class\\":\\"temperature\\"}",' +
        'context_id="ctx-1",origin="LOCAL" 1700000000000001',
    );
  });

  test('on/off states get value 1/0 as HA maps them; every optional field when present', () => {
    const e = event(2, {
      entityId: 'light.a b',
      state: 'on',
      attributes: {},
      areaId: 'kitchen',
      deviceId: 'dev\n1',
      oldState: 'off',
      durationInStateSeconds: 12.5,
      contextParentId: 'p',
      contextUserId: 'u',
      lastChanged: 1_699_999_999_000_000,
    });
    assert.equal(
      eventLine(e),
      'home_assistant_events,area_id=kitchen,device_id=dev\\n1,domain=light,entity_id=light.a\\ b ' +
        'state="on",value=1,old_state="off",attributes="{}",duration_in_state_seconds=12.5,context_id="ctx-2",' +
        'context_parent_id="p",context_user_id="u",origin="LOCAL",last_changed=1699999999000000 1700000000000002',
    );
  });

  test('other text states get no value: "unknown", "heat", "playing"', () => {
    for (const state of ['unknown', 'heat', 'playing', 'On']) {
      assert.doesNotMatch(eventLine(event(4, { state, attributes: {} })), /value=/, state);
    }
    assert.match(eventLine(event(5, { state: 'not_home', attributes: {} })), /,value=0,/);
  });

  test('a removal: state "", removed=true, no value even for a numeric-looking state', () => {
    const line = eventLine(event(3, { state: '', removed: true, attributes: {}, contextId: null, origin: null }));
    assert.equal(
      line,
      'home_assistant_events,domain=sensor,entity_id=sensor.s3 state="",attributes="{}",removed=true 1700000000000003',
    );
  });

  test('statistics rows and generic points', () => {
    assert.equal(
      statisticsLine({
        entityId: 'sensor.e',
        period: 'hour',
        start: 3_600_000_000,
        unit: 'kWh',
        mean: 1,
        min: 0,
        max: 2,
        count: 12,
        sum: null,
      }),
      'statistics,entity_id=sensor.e,unit_of_measurement=kWh mean=1,min=0,max=2,count=12 3600000000',
    );
    assert.equal(
      pointLine('weather', {
        time: 5,
        tags: { z: 'last', a: 'first', empty: '' },
        fields: { t: 3, ok: true, s: 'x "y"', bad: Number.NaN },
      }),
      'weather,a=first,z=last t=3,ok=true,s="x \\"y\\"" 5',
    );
    assert.throws(() => pointLine('weather', { time: 5, tags: {}, fields: {} }), /at least one field/);
    assert.throws(() => pointLine('weather', { time: 5, tags: { 'a\\': 'x' }, fields: { v: 1 } }), /tag key/);
  });
});

describe('InfluxQL text', () => {
  const literals: Array<[string, string]> = [
    ["it's", "'it\\'s'"],
    ['back\\slash', "'back\\\\slash'"],
    ['two\nlines', "'two\\nlines'"],
    ["'; DROP DATABASE x; --", "'\\'; DROP DATABASE x; --'"],
  ];
  for (const [value, expected] of literals) {
    test(`string literal ${JSON.stringify(value)}`, () => assert.equal(stringLiteral(value), expected));
  }

  test('identifiers, regexes, tag and field conditions, times', () => {
    assert.equal(ident('we"ird\\'), '"we\\"ird\\\\"');
    assert.throws(() => ident('a\nb'), /line break/);
    assert.equal(exactRegex('a.b/c\r\n(x)'), '/^a\\.b\\/c\\r\\n\\(x\\)$/');
    assert.equal(fieldEquals('state', 'x\r'), '"state" =~ /^x\\r$/');
    assert.equal(fieldEquals('state', "o'k"), `"state" = 'o\\'k'`);
    assert.equal(tagEquals('area_id', 'a\\b\n'), `"area_id" = 'a\\\\x5cb\\\\n'`);
    assert.equal(tagIn('entity_id', ['a', 'b']), `("entity_id" = 'a' OR "entity_id" = 'b')`);
    assert.equal(timeLiteral(1_700_000_000_000_001), '1700000000000001000');
    assert.equal(timeLiteral(0), '0');
    assert.equal(timeLiteral(-5), '-5000');
    assert.equal(timeLiteral(Number.MAX_VALUE), `${Number.MAX_SAFE_INTEGER}000`);
  });
});

describe('write errors', () => {
  test('the lines a partial write names, with their reasons', () => {
    const lines = ['m f=1 1', "bad 'quoted': line", 'm f=2 2', 'also bad'];
    const message =
      "partial write: unable to parse 'bad 'quoted': line': invalid field format\n" +
      "unable to parse 'also bad': invalid field format dropped=0";
    assert.deepEqual(
      [...namedRejections(lines, message)],
      [
        [1, 'invalid field format'],
        [3, 'invalid field format'],
      ],
    );
    assert.equal(namedRejections(lines, 'partial write: field type conflict: ... dropped=1').size, 0);
  });

  test('Retry-After in seconds or as a date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2099 00:00:10 GMT', Date.parse('2099-01-01T00:00:00Z')), 10_000);
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});
