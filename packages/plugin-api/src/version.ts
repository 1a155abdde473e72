/** The version of this API package; plugins name a range of it in `kernel`. @public */
export const PLUGIN_API_VERSION = '0.1.0';
