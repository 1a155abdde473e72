// tsyringe needs the Reflect metadata API; the CLI entry imports it once, tests import it here.
import 'reflect-metadata';
