export const X = 'lunar.app/ingress';
