// gen_hf_reference.js writes hf_reference.json: ids computed by Hugging
// Face's tokenizers (the Rust library, 0.22.2, through the npm package
// @anush008/tokenizers 0.6.0, a prebuilt N-API binding) for the GPT-NeoX-20B
// tokenizer.json, on hand-picked edge cases and on deterministic random
// strings over letters, digits, marks, many kinds of whitespace, emoji,
// contractions and added tokens. The Go tests compare against these ids.
//
// Run from this directory:
//   npm install --prefix /tmp/hfref @anush008/tokenizers@0.6.0
//   NODE_PATH=/tmp/hfref/node_modules node gen_hf_reference.js ../../../../shared/pythia/tokenizer.json > hf_reference.json
//
// Configurations: "default" is the file as it is; "add_prefix_space" sets
// pre_tokenizer.add_prefix_space = true; "no_regex" sets
// pre_tokenizer.use_regex = false. The Go test applies the same edits.
'use strict';
const fs = require('fs');
const {Tokenizer} = require('@anush008/tokenizers');

const path = process.argv[2];
const base = JSON.parse(fs.readFileSync(path, 'utf8'));
function variant(edit) {
  const j = JSON.parse(JSON.stringify(base));
  edit(j);
  return Tokenizer.fromString(JSON.stringify(j));
}
const configs = {
  default: Tokenizer.fromFile(path),
  add_prefix_space: variant(j => { j.pre_tokenizer.add_prefix_space = true; }),
  no_regex: variant(j => { j.pre_tokenizer.use_regex = false; }),
};

// mulberry32: a small deterministic PRNG so the file is reproducible.
let seed = 20240917;
function rand() {
  seed = (seed + 0x6D2B79F5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = a => a[Math.floor(rand() * a.length)];
const cp = n => String.fromCodePoint(n);
const range = (lo, hi) => cp(lo + Math.floor(rand() * (hi - lo + 1)));

const spaces = [' ', '\t', '\n', '\r', '\v', '\f', '\u0085', '\u00a0', '\u1680', '\u2000', '\u2005',
  '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\u180e', '\u200b', '\ufeff',
  '\u001c', '\u001f'];
const words = ['Hello', 'world', 'the', 'The', 'x', 'Sam', 'don', 'I', 'caf\u00e9', 'cafe\u0301',
  'na\u00efve', 'Stra\u00dfe', '\u0396\u03b5\u03cd\u03c2', '\u0436\u0438\u0437\u043d\u044c', '\u4e2d\u6587',
  '\u65e5\u672c\u8a9e', '\ud55c\uad6d\uc5b4', '\u1112\u1161\u11ab', '\u0915\u094d\u0937\u093f',
  '\u0e20\u0e32\u0e29\u0e32', '\u05e2\u05d1\u05e8\u05d9\u05ea', '\u0639\u0631\u0628\u064a',
  '\ufb01le', '\u212b', '\u2126', '\u212a', 'A\u030a', '\u1e9b\u0323', 'e\u0301\u0301'];
const digits = ['0', '7', '42', '333', '2024', '3.14', '\u0663', '\uff13', '\u00b2', '\u00bd', '\u216b',
  '\ud835\udfd9', '1,000', '١٢٣'];
const puncts = ['.', ',', '!', '?', '...', '"', '(', ')', '[', ']', '{', '}', '-', '--', '_', '/', '\\',
  '#', '@', '$', '%', '^', '&', '*', '+', '=', '<', '>', '|', '~', '`', ';', ':', '\u2014', '\u201c',
  '\u00a7', '\u20ac', '\u2260', '\ufffd', '\ue000', '\uffff'];
const contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'LL", "'", "''",
  "'r", "'v", "'l", "\u2019s"];
const emoji = ['\ud83e\udd99', '\ud83d\ude80', '\ud83d\ude36\u200d\ud83c\udf2b\ufe0f', '\u2705',
  '\ud83d\udc4d\ud83c\udffd', '\ud83c\uddfa\ud83c\uddf8', '\u2764\ufe0f', '\u200d'];
const marks = ['\u0301', '\u0308', '\u0338', '\u0323', '\u093f', '\u0e31', '\u20dd', '\u0345'];
const added = ['<|endoftext|>', '<|padding|>', '<|endoftext', '<|', '|>', '<|endoftext|>\u0338',
  '<\u0338', '<|padding|><|endoftext|>'];

function randomPiece() {
  const r = rand();
  if (r < 0.22) return pick(words);
  if (r < 0.42) return ' '.repeat(1 + Math.floor(rand() * (rand() < 0.8 ? 3 : 30)));
  if (r < 0.50) return pick(spaces);
  if (r < 0.58) return pick(digits);
  if (r < 0.68) return pick(puncts);
  if (r < 0.74) return pick(contractions);
  if (r < 0.78) return pick(emoji);
  if (r < 0.82) return pick(marks);
  if (r < 0.85) return pick(added);
  if (r < 0.93) return range(0x20, 0x7e);
  if (r < 0.97) { let c; do { c = Math.floor(rand() * 0x10000); } while (c >= 0xd800 && c < 0xe000); return cp(c); }
  return range(0x10000, 0x10ffff);
}
function randomText() {
  const n = Math.floor(rand() * 12);
  let s = '';
  for (let i = 0; i < n; i++) s += randomPiece();
  return s;
}

const edge = [
  '', ' ', '  ', '\t', '\n', ' \n', '\n ', 'a ', 'a  ', 'a   ', ' a', '  a', '   a', '\ta', ' \ta', '\t a',
  'a\t\tb', 'a \t b', 'a\n\nb', 'a \n b', 'a  \n  b', 'x  ', 'x \u00a0y', '\u00a0\u00a0x', ' \u3000x',
  "x'Sam", "x'sam", "I'M", "I'm", "don't", "DON'T", "we'll", "WE'LL", "they're", "it's", "''s", "'''",
  "' s", "'s's", "a's b's", "o'clock", "rock'n'roll", "'", "'ll've",
  '3', '33', '333', '3333', '33333', 'a1', '1a', ' 1', '  1', 'v1.2.3', '\u0663\u0664', '\u00bd\u00bd',
  'caf\u00e9', 'cafe\u0301', '\u1112\u1161\u11ab', '\u212b', 'e\u0301\u0301', '\u0301', ' \u0301', 'a \u0301b',
  '\u0915\u094d\u0937\u093f', '\ud83e\udd99\ud83e\udd99', ' \ud83d\ude80!', '\ud83d\ude36\u200d\ud83c\udf2b\ufe0f',
  '<|endoftext|>', '<|padding|>', 'a<|endoftext|>b', ' <|endoftext|> ', '<|endoftext|><|endoftext|>',
  '<|endoftext|>\u0338', 'e<|endoftext|>\u0301', '<|endoftext', '<|im_start|>system',
  ' '.repeat(24), ' '.repeat(25), ' '.repeat(26) + 'x', ' '.repeat(48) + 'x', ' '.repeat(50),
  'Hello world!  How are you?\n\n\tFine, thanks.   ', 'def f(x):\n    return x  # comment\n',
];

const out = {tool: 'huggingface tokenizers 0.22.2 via @anush008/tokenizers 0.6.0', encode: [], decode: []};
(async () => {
  async function add(config, text) {
    const e = await configs[config].encode(text, null, {addSpecialTokens: false});
    out.encode.push({config, text, ids: Array.from(e.getIds())});
  }
  for (const t of edge) await add('default', t);
  for (let i = 0; i < 700; i++) await add('default', randomText());
  for (const t of edge.slice(0, 40)) await add('add_prefix_space', t);
  for (let i = 0; i < 120; i++) await add('add_prefix_space', randomText());
  for (const t of edge.slice(0, 40)) await add('no_regex', t);
  for (let i = 0; i < 120; i++) await add('no_regex', randomText());
  // Decoding: random id sequences whose decoded text is valid UTF-8 (HF
  // turns invalid UTF-8 into U+FFFD; this package returns the bytes).
  const dec = configs.default;
  while (out.decode.length < 150) {
    const n = 1 + Math.floor(rand() * 8);
    const ids = [];
    for (let i = 0; i < n; i++) ids.push(rand() < 0.15 ? pick([0, 1, 50254, 50265, 50276]) : Math.floor(rand() * 50277));
    const text = await dec.decode(ids, false);
    if (!text.includes('\ufffd')) out.decode.push({ids, text});
  }
  process.stdout.write(JSON.stringify(out) + '\n');
})();
