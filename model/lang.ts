// The languages reports and messages are written in.
export type Lang = 'en' | 'ja';
export const LANGS: Lang[] = ['en', 'ja'];
