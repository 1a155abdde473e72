// Parses Prometheus text exposition with the Prometheus project's own Python client
// (prometheus_client.parser, Debian's python3-prometheus-client). The npm parsers are unmaintained
// and parse-prometheus-text-format drops the labels of labelled histograms and summaries.
import { spawn } from 'node:child_process';

export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly samples: Sample[];
}

const SCRIPT = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "help": f.documentation,
                "samples": [{"name": s.name, "labels": s.labels,
                             "value": s.value if math.isfinite(s.value) else str(s.value)} for s in f.samples]})
print(json.dumps(out))
`;

export function parseExposition(text: string): Promise<Family[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c; });
    child.stderr.on('data', (c: Buffer) => { err += c; });
    child.on('error', (e) => reject(new Error(`cannot run /usr/bin/python3 (apt-get install python3-prometheus-client): ${e.message}`)));
    child.on('close', (code) => {
      if (code !== 0) { reject(new Error(`Prometheus text did not parse (exit ${code}): ${err}\n--- text ---\n${text}`)); return; }
      const families = JSON.parse(out) as Array<Omit<Family, 'samples'> & { samples: Array<Omit<Sample, 'value'> & { value: number | string }> }>;
      resolve(families.map((f) => ({ ...f, samples: f.samples.map((s) => ({ ...s, value: Number(s.value) })) })));
    });
    child.stdin.end(text);
  });
}

/** The value of the one sample with this name and exactly these labels (undefined when absent). */
export function sampleValue(families: readonly Family[], name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families) {
    for (const s of f.samples) {
      if (s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(labels).sort())) return s.value;
    }
  }
  return undefined;
}

export function samplesNamed(families: readonly Family[], name: string): Sample[] {
  return families.flatMap((f) => f.samples.filter((s) => s.name === name));
}

export function familyOf(families: readonly Family[], sampleName: string): Family | undefined {
  return families.find((f) => f.samples.some((s) => s.name === sampleName) || f.name === sampleName);
}
