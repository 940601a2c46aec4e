// Section headings of the reports in English, or in Japanese (`--lang ja`) since the plans this serves
// are often written in Japanese; the Japanese follow the regulator's serious-incident report form.
import type { Lang } from '../model/lang.js';

const HEADINGS = {
  report: { en: 'Drill report', ja: '訓練報告書' },
  summary: { en: 'Summary', ja: '事故の全体概要' },
  configuration: { en: 'Configuration drilled', ja: 'システム構成' },
  impact: { en: 'Timeline and impact', ja: '影響の推移' },
  objectives: { en: 'Objectives: target vs actual', ja: '目標復旧時間・目標復旧時点：目標と実績' },
  trend: { en: 'Trend across drills', ja: '訓練ごとの推移' },
  steps: { en: 'Steps: expected vs actual', ja: '手順：想定時間と実績' },
  faults: { en: 'Faults injected and healed', ja: '注入した障害と復旧' },
  people: { en: 'Manual steps, decisions and notifications', ja: '手作業の手順・判断・連絡' },
  decisions: { en: 'Decisions', ja: '判断（発動など）' },
  breakdowns: { en: 'Runbook breakdowns', ja: '手順書どおりに進まなかった箇所' },
  followUps: { en: 'Follow-ups from earlier drills', ja: '前回訓練の再発防止策の確認' },
  notifications: { en: 'Notification timeline', ja: '措置模様（連絡体制）' },
  timeline: { en: 'Response timeline', ja: '措置模様（事故対応状況）' },
  exercise: { en: 'Exercise: detection, declaration and the reveal', ja: 'シナリオ非提示型訓練：検知・宣言と種明かし' },
  cleanup: { en: 'Cleanup', ja: '訓練環境の撤去' },
  causes: { en: 'Causes and measures', ja: '発生原因と再発防止策' },
  revisions: { en: 'Proposed revisions', ja: '計画の改訂案' },
  measurement: { en: 'How each figure was measured', ja: '各数値の測定方法' },
} as const;

export type Heading = keyof typeof HEADINGS;

export const heading = (lang: Lang) => (h: Heading): string => HEADINGS[h][lang];
