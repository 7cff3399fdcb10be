'use client';
import { useEffect, useRef } from 'react';

/** An unsaved edit kept in this browser until it is saved or discarded. */
export interface LocalDraft {
  base: number;
  text: string;
  note: string;
  at: string;
}

const key = (kind: string, id: string) => `creditbook:draft:${kind}:${id}`;

/** The edit kept for a document, if any. */
export function readLocalDraft(kind: string, id: string): LocalDraft | null {
  try {
    const raw = window.localStorage.getItem(key(kind, id));
    const d = raw ? (JSON.parse(raw) as Partial<LocalDraft>) : null;
    return d && typeof d.text === 'string' && typeof d.base === 'number' ? { base: d.base, text: d.text, note: typeof d.note === 'string' ? d.note : '', at: String(d.at ?? '') } : null;
  } catch {
    return null;
  }
}

export function writeLocalDraft(kind: string, id: string, draft: LocalDraft | null): void {
  try {
    if (draft) window.localStorage.setItem(key(kind, id), JSON.stringify(draft));
    else window.localStorage.removeItem(key(kind, id));
  } catch {
    // Storage full or disabled: the leave-page guard still protects the edit.
  }
}

export const LEAVE_MESSAGE = 'You have unsaved changes. Leave this page and keep them only as a local draft in this browser?';

/**
 * Asks before leaving while `dirty`: a reload or closing the tab (the browser's own prompt), a link
 * inside the app, and the Back button.
 */
export function useLeaveGuard(dirty: boolean): void {
  const dirtyRef = useRef(dirty);
  const pushed = useRef(false);
  dirtyRef.current = dirty;

  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!dirtyRef.current) return;
      e.preventDefault();
      e.returnValue = '';
    };
    // Links are followed by the router without unloading the page: ask on the click itself.
    const onClick = (e: MouseEvent) => {
      if (!dirtyRef.current || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
      if (!a || a.target === '_blank' || a.hasAttribute('download')) return;
      if (!window.confirm(LEAVE_MESSAGE)) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    document.addEventListener('click', onClick, true);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      document.removeEventListener('click', onClick, true);
    };
  }, []);

  // Back: a guard entry is pushed while dirty; leaving it asks, and staying pushes it again.
  useEffect(() => {
    if (!dirty) return;
    const marker = { creditbookGuard: true };
    // One guard entry per visit, however often the edit becomes dirty again.
    if (!pushed.current) window.history.pushState({ ...window.history.state, ...marker }, '', window.location.href);
    pushed.current = true;
    const onPop = () => {
      if (!dirtyRef.current) return;
      if (window.confirm(LEAVE_MESSAGE)) {
        dirtyRef.current = false;
        window.history.back();
      } else window.history.pushState({ ...window.history.state, ...marker }, '', window.location.href);
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, [dirty]);
}
